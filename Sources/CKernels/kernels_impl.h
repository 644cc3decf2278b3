// Kernel bodies, included twice by dispatch.c: once under an AVX2+FMA target attribute (HK(x) = x##_avx2)
// and once for the baseline ISA (HK(x) = x##_base). `a * b + c` on vectors contracts to vfmadd in the
// AVX2+FMA copy (clang's default -ffp-contract=on) and stays a multiply and an add in the baseline copy,
// which never calls libm's fmaf.

typedef float v8f __attribute__((vector_size(32), aligned(4)));
typedef int v8i __attribute__((vector_size(32), aligned(4)));

static inline v8f HK(ld)(const float *p) { v8f v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void HK(st)(float *p, v8f v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v8f HK(splat)(float x) { return (v8f){x, x, x, x, x, x, x, x}; }
static inline float HK(hsum)(v8f v) {
  return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

/// Narrow outputs: 4 rows of A against up to 3 columns at a time, streaming A once in address order (row by
/// row, two accumulators per column; interleaving the 4 rows ran at a third of the memory bandwidth).
static void HK(sgemm_narrow)(long i0, long i1, long n, long k, float alpha, const float *a, long lda,
                             const float *bt, float beta, float *c, long ldc) {
  for (long i = i0; i < i1; i += 4) {
    long rows = i1 - i < 4 ? i1 - i : 4;
    const float *r[4];
    for (int q = 0; q < 4; q++) r[q] = a + (i + (q < rows ? q : 0)) * lda;
    for (long j0 = 0; j0 < n; j0 += 3) {
      long cols = n - j0 < 3 ? n - j0 : 3;
      const float *bq[3];
      for (int q = 0; q < 3; q++) bq[q] = bt + (j0 + (q < cols ? q : 0)) * k;
      v8f s[4][3];
      for (int q = 0; q < 4; q++) for (int w = 0; w < 3; w++) s[q][w] = HK(splat)(0.0f);
      long p = 0;
      for (int q = 0; q < 4; q++) {  // row by row: A is read in address order
        v8f t[3] = {HK(splat)(0.0f), HK(splat)(0.0f), HK(splat)(0.0f)};
        for (p = 0; p + 16 <= k; p += 16) {
          v8f a0 = HK(ld)(r[q] + p), a1 = HK(ld)(r[q] + p + 8);
          for (int w = 0; w < 3; w++) {
            s[q][w] = a0 * HK(ld)(bq[w] + p) + s[q][w];
            t[w] = a1 * HK(ld)(bq[w] + p + 8) + t[w];
          }
        }
        for (; p + 8 <= k; p += 8) {
          v8f a0 = HK(ld)(r[q] + p);
          for (int w = 0; w < 3; w++) s[q][w] = a0 * HK(ld)(bq[w] + p) + s[q][w];
        }
        for (int w = 0; w < 3; w++) s[q][w] = s[q][w] + t[w];
      }
      for (long q = 0; q < rows; q++) {
        for (long w = 0; w < cols; w++) {
          float v = HK(hsum)(s[q][w]);
          for (long pp = p; pp < k; pp++) v += r[q][pp] * bq[w][pp];
          float *d = c + (i + q) * ldc + j0 + w;
          *d = beta == 0.0f ? alpha * v : alpha * v + beta * *d;
        }
      }
    }
  }
}

// MARK: vector math (Cephes-style polynomials)

static inline v8f HK(sel)(v8i m, v8f a, v8f b) { return (v8f)(((v8i)a & m) | ((v8i)b & ~m)); }
static inline v8f HK(vmax)(v8f a, v8f b) { return HK(sel)(a > b, a, b); }
static inline v8f HK(vabs)(v8f a) { return (v8f)((v8i)a & HK_SPLATI(0x7fffffff)); }
static inline v8i HK(signbits)(v8f a) { return (v8i)a & HK_SPLATI((int)0x80000000); }

/// exp(x): x = n ln2 + r with |r| <= ln2/2 (two-part ln2), exp(r) by a degree-7 polynomial, scaled by 2^n
/// built in the exponent bits. Inputs are clamped to [-87.3, 88.3].
static inline v8f HK(vexp)(v8f x) {
  x = HK(sel)(x < HK(splat)(-87.3f), HK(splat)(-87.3f), x);
  x = HK(sel)(x > HK(splat)(88.3f), HK(splat)(88.3f), x);
  const v8f magic = HK(splat)(12582912.0f);
  v8f tn = x * HK(splat)(1.44269504088896341f) + magic;
  v8f n = tn - magic;
  v8f r = n * HK(splat)(-0.693359375f) + x;
  r = n * HK(splat)(2.12194440e-4f) + r;
  v8f p = HK(splat)(1.9875691500e-4f) * r + HK(splat)(1.3981999507e-3f);
  p = p * r + HK(splat)(8.3334519073e-3f);
  p = p * r + HK(splat)(4.1665795894e-2f);
  p = p * r + HK(splat)(1.6666665459e-1f);
  p = p * r + HK(splat)(5.0000001201e-1f);
  v8f y = p * (r * r) + (r + HK(splat)(1.0f));
  v8i ni = (v8i)tn - (v8i)magic;
  v8f scale = (v8f)((ni + HK_SPLATI(127)) << 23);
  return y * scale;
}

/// log(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by a degree-9 polynomial in (m - 1).
/// log(0) = -inf, log(negative) = NaN, log(inf) = inf.
static inline v8f HK(vlog)(v8f x0) {
  v8i bits = (v8i)x0;
  v8f e = __builtin_convertvector(((bits >> 23) & HK_SPLATI(0xff)) - HK_SPLATI(126), v8f);
  v8f m = (v8f)((bits & HK_SPLATI((int)0x807fffff)) | HK_SPLATI(0x3f000000));
  v8i small = m < HK(splat)(0.707106781186547524f);
  e = HK(sel)(small, e - HK(splat)(1.0f), e);
  v8f x = HK(sel)(small, m + m, m) - HK(splat)(1.0f);
  v8f z = x * x;
  v8f y = HK(splat)(7.0376836292e-2f) * x + HK(splat)(-1.1514610310e-1f);
  y = y * x + HK(splat)(1.1676998740e-1f);
  y = y * x + HK(splat)(-1.2420140846e-1f);
  y = y * x + HK(splat)(1.4249322787e-1f);
  y = y * x + HK(splat)(-1.6668057665e-1f);
  y = y * x + HK(splat)(2.0000714765e-1f);
  y = y * x + HK(splat)(-2.4999993993e-1f);
  y = y * x + HK(splat)(3.3333331174e-1f);
  y = y * x * z;
  y = e * HK(splat)(-2.12194440e-4f) + y;
  y = z * HK(splat)(-0.5f) + y;
  v8f r = x + y + e * HK(splat)(0.693359375f);
  r = HK(sel)(x0 == HK(splat)(0.0f), HK(splat)(-__builtin_inff()), r);
  r = HK(sel)(x0 < HK(splat)(0.0f), HK(splat)(__builtin_nanf("")), r);
  r = HK(sel)(x0 == HK(splat)(__builtin_inff()), x0, r);
  return HK(sel)(x0 != x0, x0, r);
}

/// sin(r) for |r| <= pi/2: odd polynomial of degree 11.
static inline v8f HK(sinpoly)(v8f r) {
  v8f r2 = r * r;
  v8f p = HK(splat)(-2.4080459e-08f) * r2 + HK(splat)(2.7536478e-06f);
  p = p * r2 + HK(splat)(-1.9841087e-04f);
  p = p * r2 + HK(splat)(8.333333e-03f);
  p = p * r2 + HK(splat)(-1.6666667e-01f);
  return (p * r2) * r + r;
}

/// Cody-Waite reduction x - q pi with pi split in three parts (exact products for |q| < 2^11).
static inline v8f HK(reduce_pi)(v8f x, v8f q) {
  v8f r = q * HK(splat)(-3.140625f) + x;
  r = q * HK(splat)(-9.67025756835937500e-4f) + r;
  return q * HK(splat)(-6.2783295e-07f) + r;
}

/// sin(x) = (-1)^j sin(x - j pi), j = round(x / pi).
static inline v8f HK(vsin)(v8f x) {
  const v8f magic = HK(splat)(12582912.0f);
  v8f tj = x * HK(splat)(0.318309886183790671f) + magic;
  v8f s = HK(sinpoly)(HK(reduce_pi)(x, tj - magic));
  v8i odd = ((v8i)tj - (v8i)magic) << 31;
  return (v8f)((v8i)s ^ odd);
}

/// cos(x) = (-1)^(j+1) sin(x - (j + 1/2) pi), j = round(x / pi - 1/2).
static inline v8f HK(vcos)(v8f x) {
  const v8f magic = HK(splat)(12582912.0f);
  v8f tj = (x * HK(splat)(0.318309886183790671f) - HK(splat)(0.5f)) + magic;
  v8f s = HK(sinpoly)(HK(reduce_pi)(x, (tj - magic) + HK(splat)(0.5f)));
  v8i even = (((v8i)tj - (v8i)magic) ^ HK_SPLATI(1)) << 31;
  return (v8f)((v8i)s ^ even);
}

/// tanh: odd polynomial for |x| < 0.625, 1 - 2 / (exp(2|x|) + 1) elsewhere, sign restored.
static inline v8f HK(vtanh)(v8f x) {
  v8f ax = HK(vabs)(x);
  v8f s = x * x;
  v8f p = HK(splat)(-5.70498872745e-3f) * s + HK(splat)(2.06390887954e-2f);
  p = p * s + HK(splat)(-5.37397155531e-2f);
  p = p * s + HK(splat)(1.33314422036e-1f);
  p = p * s + HK(splat)(-3.33332819422e-1f);
  v8f small = (p * s) * x + x;
  v8f big = HK(splat)(1.0f) - HK(splat)(2.0f) / (HK(vexp)(ax + ax) + HK(splat)(1.0f));
  big = (v8f)((v8i)big | HK(signbits)(x));
  return HK(sel)(ax < HK(splat)(0.625f), small, big);
}

static inline v8f HK(vsigmoid)(v8f x) { return HK(splat)(1.0f) / (HK(splat)(1.0f) + HK(vexp)(-x)); }

/// erf: Taylor series to x^11 for |x| < 0.5; Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7) elsewhere. Also
/// returns exp(-x^2) in *e (the Gaussian factor the second form needs anyway).
static inline v8f HK(verf_e)(v8f x, v8f *e) {
  v8f ax = HK(vabs)(x);
  v8f s = x * x;
  v8f ts = HK(splat)(-1.0f / 1320.0f) * s + HK(splat)(1.0f / 216.0f);
  ts = ts * s + HK(splat)(-1.0f / 42.0f);
  ts = ts * s + HK(splat)(1.0f / 10.0f);
  ts = ts * s + HK(splat)(-1.0f / 3.0f);
  ts = ts * s + HK(splat)(1.0f);
  v8f small = ts * x * HK(splat)(1.1283791670955126f);
  v8f t = HK(splat)(1.0f) / (HK(splat)(0.3275911f) * ax + HK(splat)(1.0f));
  v8f q = HK(splat)(1.061405429f) * t + HK(splat)(-1.453152027f);
  q = q * t + HK(splat)(1.421413741f);
  q = q * t + HK(splat)(-0.284496736f);
  q = q * t + HK(splat)(0.254829592f);
  *e = HK(vexp)(-s);
  v8f big = HK(splat)(1.0f) - q * t * *e;
  big = (v8f)((v8i)big | HK(signbits)(x));
  return HK(sel)(ax < HK(splat)(0.5f), small, big);
}

static inline v8f HK(verf)(v8f x) {
  v8f e;
  return HK(verf_e)(x, &e);
}

/// d/dx of the exact GELU, Phi(x) + x phi(x), with one exponential shared by erf and phi.
static inline v8f HK(vgelu_erf_grad)(v8f x) {
  v8f e, erf = HK(verf_e)(x * HK(splat)(0.70710678118654752f), &e);
  return HK(splat)(0.5f) * (HK(splat)(1.0f) + erf) + x * HK(splat)(0.3989422804014327f) * e;
}

static inline v8f HK(vapply)(int op, v8f x) {
  switch (op) {
  case HK_EXP: return HK(vexp)(x);
  case HK_LOG: return HK(vlog)(x);
  case HK_SIN: return HK(vsin)(x);
  case HK_COS: return HK(vcos)(x);
  case HK_TANH: return HK(vtanh)(x);
  case HK_SIGMOID: return HK(vsigmoid)(x);
  case HK_GELU_TANH: {
    v8f z2 = (x * x * HK(splat)(0.044715f) + HK(splat)(1.0f)) * x * HK(splat)(1.5957691216057308f);
    return x / (HK(splat)(1.0f) + HK(vexp)(-z2));
  }
  case HK_GELU_ERF:
    return HK(splat)(0.5f) * x * (HK(splat)(1.0f) + HK(verf)(x * HK(splat)(0.70710678118654752f)));
  case HK_ERF: return HK(verf)(x);
  case HK_SOFTPLUS:
    return HK(vmax)(x, HK(splat)(0.0f)) + HK(vlog)(HK(splat)(1.0f) + HK(vexp)(-HK(vabs)(x)));
  default: return x;
  }
}

static void HK(unary)(int op, const float *x, float *y, long n) {
  long i = 0;
  switch (op) {
#define HK_CASE(OP) case OP: for (; i + 8 <= n; i += 8) HK(st)(y + i, HK(vapply)(OP, HK(ld)(x + i))); break;
  HK_CASE(HK_EXP) HK_CASE(HK_LOG) HK_CASE(HK_SIN) HK_CASE(HK_COS) HK_CASE(HK_TANH) HK_CASE(HK_SIGMOID)
  HK_CASE(HK_GELU_TANH) HK_CASE(HK_GELU_ERF) HK_CASE(HK_ERF) HK_CASE(HK_SOFTPLUS)
#undef HK_CASE
  default: break;
  }
  if (i < n) {
    float t[8] = {0};
    for (long j = i; j < n; j++) t[j - i] = x[j];
    v8f r = HK(vapply)(op, HK(ld)(t));
    HK(st)(t, r);
    for (long j = i; j < n; j++) y[j] = t[j - i];
  }
}

/// dx = g (Phi(x) + x phi(x)): the exact GELU's backward rule in one pass.
static void HK(gelu_erf_backward)(const float *x, const float *g, float *dx, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) HK(st)(dx + i, HK(ld)(g + i) * HK(vgelu_erf_grad)(HK(ld)(x + i)));
  if (i < n) {
    float tx[8] = {0}, tg[8] = {0};
    for (long j = i; j < n; j++) { tx[j - i] = x[j]; tg[j - i] = g[j]; }
    HK(st)(tx, HK(ld)(tg) * HK(vgelu_erf_grad)(HK(ld)(tx)));
    for (long j = i; j < n; j++) dx[j] = tx[j - i];
  }
}

// MARK: fused optimizer and row kernels

/// y = gate > 0 ? x : 0 (ReLU backward); with x == gate it is the ReLU itself.
static void HK(relu_gate)(const float *x, const float *gate, float *y, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    v8f g = HK(ld)(gate + i);
    HK(st)(y + i, (v8f)((v8i)HK(ld)(x + i) & (g > HK(splat)(0.0f))));
  }
  for (; i < n; i++) y[i] = gate[i] > 0.0f ? x[i] : 0.0f;
}

/// c[i, j] += bias[j] (bias may be NULL), then max(., 0) when relu, for a rows x cols block.
static void HK(bias_act)(float *c, long rows, long cols, long ldc, const float *bias, int relu) {
  for (long r = 0; r < rows; r++) {
    float *row = c + r * ldc;
    // Separate loops per case: `bias ? bias[j] : 0` in one loop becomes masked loads from NULL + j (slow).
    if (bias) for (long j = 0; j < cols; j++) row[j] += bias[j];
    if (relu) for (long j = 0; j < cols; j++) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
  }
}

static void HK(adam)(float *p, const float *g, float *m, float *v, long n, float lr, float b1, float b2,
                     float eps, float wd, int wdMode, float bc1, float bc2) {
  float step = lr / bc1, rbc2 = 1.0f / __builtin_sqrtf(bc2), decay = 1.0f - lr * wd;
  long i = 0;
  // Vectors of 8 (IEEE sqrt and division, the same operations in the same order as the scalar tail, so
  // every element gets the same bits either way).
  v8f vb1 = HK(splat)(b1), vc1 = HK(splat)(1.0f - b1), vb2 = HK(splat)(b2), vc2 = HK(splat)(1.0f - b2);
  for (; i + 8 <= n; i += 8) {
    v8f gi = HK(ld)(g + i), pi = HK(ld)(p + i);
    if (wdMode == 1) gi = gi + HK(splat)(wd) * pi;
    v8f mi = vb1 * HK(ld)(m + i) + vc1 * gi;
    v8f vi = vb2 * HK(ld)(v + i) + vc2 * gi * gi;
    HK(st)(m + i, mi);
    HK(st)(v + i, vi);
    if (wdMode == 2) pi = pi * HK(splat)(decay);
    HK(st)(p + i, pi - HK(splat)(step) * mi / (__builtin_elementwise_sqrt(vi) * HK(splat)(rbc2) + HK(splat)(eps)));
  }
  for (; i < n; i++) {
    float gi = g[i];
    if (wdMode == 1) gi += wd * p[i];
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi; v[i] = vi;
    float pi = wdMode == 2 ? p[i] * decay : p[i];
    p[i] = pi - step * mi / (__builtin_sqrtf(vi) * rbc2 + eps);
  }
}

static float HK(sum)(const float *x, long n) {
  v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  long i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 += HK(ld)(x + i); a1 += HK(ld)(x + i + 8); a2 += HK(ld)(x + i + 16); a3 += HK(ld)(x + i + 24);
  }
  for (; i + 8 <= n; i += 8) a0 += HK(ld)(x + i);
  float s = HK(hsum)((a0 + a1) + (a2 + a3));
  for (; i < n; i++) s += x[i];
  return s;
}

/// 1 when none of the n floats is NaN or infinite: x - x is 0 for finite x and NaN otherwise.
static int HK(all_finite)(const float *x, long n) {
  v8f a = {0};
  long i = 0;
  for (; i + 8 <= n; i += 8) { v8f u = HK(ld)(x + i); a = a + (u - u); }
  float s = HK(hsum)(a);
  for (; i < n; i++) s += x[i] - x[i];
  return s == 0.0f;
}

static float HK(sumsq)(const float *x, long n) {
  v8f a0 = {0}, a1 = {0};
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    v8f u = HK(ld)(x + i), w = HK(ld)(x + i + 8);
    a0 = u * u + a0; a1 = w * w + a1;
  }
  for (; i + 8 <= n; i += 8) { v8f u = HK(ld)(x + i); a0 = u * u + a0; }
  float s = HK(hsum)(a0 + a1);
  for (; i < n; i++) s += x[i] * x[i];
  return s;
}

/// colsum_core's body for d >= 64: 64-column strips with 8 vector accumulators, then 8-column strips and
/// single columns, each over all `rows` rows.
static inline void HK(colsum_strips)(const float *x, const float *gate, float *out, long rows, long d, float *y) {
  long j = 0;
  for (; j + 64 <= d; j += 64) {  // 8 vector accumulators over a 64-column strip
    v8f a[8];
    for (int v = 0; v < 8; v++) a[v] = HK(ld)(y + j + 8 * v);
    for (long r = 0; r < rows; r++) {
      long o = r * d + j;
      for (int v = 0; v < 8; v++) {
        v8f u = HK(ld)(x + o + 8 * v);
        if (gate) {
          u = (v8f)((v8i)u & (HK(ld)(gate + o + 8 * v) > HK(splat)(0.0f)));
          HK(st)(out + o + 8 * v, u);
        }
        a[v] += u;
      }
    }
    for (int v = 0; v < 8; v++) HK(st)(y + j + 8 * v, a[v]);
  }
  for (; j + 8 <= d; j += 8) {
    v8f a = HK(ld)(y + j);
    for (long r = 0; r < rows; r++) {
      v8f u = HK(ld)(x + r * d + j);
      if (gate) {
        u = (v8f)((v8i)u & (HK(ld)(gate + r * d + j) > HK(splat)(0.0f)));
        HK(st)(out + r * d + j, u);
      }
      a += u;
    }
    HK(st)(y + j, a);
  }
  for (; j < d; j++) {
    float a = y[j];
    for (long r = 0; r < rows; r++) {
      float v = x[r * d + j];
      if (gate) out[r * d + j] = v = gate[r * d + j] > 0.0f ? v : 0.0f;
      a += v;
    }
    y[j] = a;
  }
}

/// y[j] += the sum over rows of v[r, j], where v = x, or, when `gate` is non-NULL, v = gate > 0 ? x : 0
/// (the ReLU backward rule), which is also written to `out`. The same summation order either way.
static inline void HK(colsum_core)(const float *x, const float *gate, float *out, long rows, long d, float *y) {
  if (d < 64) {  // narrow rows: one pass, accumulating a whole row at a time
    float acc[64];
    for (long j = 0; j < d; j++) acc[j] = y[j];
    for (long r = 0; r < rows; r++) {
      const float *row = x + r * d;
      for (long j = 0; j < d; j++) {
        float v = row[j];
        if (gate) out[r * d + j] = v = gate[r * d + j] > 0.0f ? v : 0.0f;
        acc[j] += v;
      }
    }
    for (long j = 0; j < d; j++) y[j] = acc[j];
    return;
  }
  // Blocks of rows of about 64 KiB of x (192 KiB with gate and out), each swept strip by strip while it is
  // in cache: one pass through memory. Every column still adds its rows in order, so the blocking does not
  // change the sums.
  long block = d >= 16384 ? 1 : 16384 / d;
  for (long r0 = 0; r0 < rows; r0 += block) {
    long n = rows - r0 < block ? rows - r0 : block;
    HK(colsum_strips)(x + r0 * d, gate ? gate + r0 * d : 0, gate ? out + r0 * d : 0, n, d, y);
  }
}

static void HK(colsum_add)(const float *x, long rows, long d, float *y) { HK(colsum_core)(x, 0, 0, rows, d, y); }

static void HK(relu_gate_colsum_add)(const float *x, const float *gate, float *out, long rows, long d, float *y) {
  HK(colsum_core)(x, gate, out, rows, d, y);
}

static void HK(layernorm)(const float *x, float *y, long rows, long d, float eps, float *rstd) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *yr = y + r * d;
    float mu = HK(sum)(xr, d) / (float)d;
    v8f vm = HK(splat)(mu), acc = {0};
    long i = 0;
    for (; i + 8 <= d; i += 8) { v8f t = HK(ld)(xr + i) - vm; acc = t * t + acc; }
    float var = HK(hsum)(acc);
    for (; i < d; i++) { float t = xr[i] - mu; var += t * t; }
    float rs = 1.0f / __builtin_sqrtf(var / (float)d + eps);
    rstd[r] = rs;
    for (i = 0; i < d; i++) yr[i] = (xr[i] - mu) * rs;
  }
}

static void HK(softmax)(const float *x, float *y, long rows, long d, int logMode) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *yr = y + r * d;
    float mx = -__builtin_inff();
    for (long i = 0; i < d; i++) mx = xr[i] > mx ? xr[i] : mx;
    // exp(-inf) is exactly 0 (vexp clamps its argument, which would leave ~1e-38): masked attention
    // scores get zero probability.
    v8f vm = HK(splat)(mx), acc = {0}, ninf = HK(splat)(-__builtin_inff()), zero = {0};
    long i = 0;
    for (; i + 8 <= d; i += 8) {
      v8f xv = HK(ld)(xr + i), e = HK(sel)(xv == ninf, zero, HK(vexp)(xv - vm));
      HK(st)(yr + i, e);
      acc += e;
    }
    float s = HK(hsum)(acc);
    if (i < d) {
      float t[8] = {0};
      for (long j = i; j < d; j++) t[j - i] = xr[j] - mx;
      v8f tv = HK(ld)(t), e = HK(sel)(tv == ninf, zero, HK(vexp)(tv));
      HK(st)(t, e);
      for (long j = i; j < d; j++) { yr[j] = t[j - i]; s += t[j - i]; }
    }
    if (logMode) {
      float ls = HK(vlog)(HK(splat)(s))[0] + mx;
      for (i = 0; i < d; i++) yr[i] = xr[i] - ls;
    } else {
      float inv = 1.0f / s;
      for (i = 0; i < d; i++) yr[i] *= inv;
    }
  }
}

static void HK(softmax_backward)(const float *y, const float *g, float *dx, long rows, long d, float scale) {
  for (long r = 0; r < rows; r++) {
    const float *yr = y + r * d, *gr = g + r * d;
    float *dr = dx + r * d;
    v8f acc = {0};
    long i = 0;
    for (; i + 8 <= d; i += 8) acc += HK(ld)(yr + i) * HK(ld)(gr + i);
    float dot = HK(hsum)(acc);
    for (; i < d; i++) dot += yr[i] * gr[i];
    v8f vd = HK(splat)(dot), vs = HK(splat)(scale);
    for (i = 0; i + 8 <= d; i += 8) HK(st)(dr + i, vs * HK(ld)(yr + i) * (HK(ld)(gr + i) - vd));
    for (; i < d; i++) dr[i] = scale * yr[i] * (gr[i] - dot);
  }
}
