// GEMM body, included once per instruction-set variant by dispatch.c with these macros defined:
//   HKG(name)  suffixes function names;  GMR, GNR  register tile (rows x columns);
//   GVW        floats per vector (GNR is a multiple of GVW).
// A 6 x 16 tile with 8-wide vectors (AVX2) or a 6 x 64 tile with 16-wide vectors (AVX-512) keeps all
// accumulators in registers; the loops over the tile are unrolled fully by the compiler.

typedef float HKG(vec) __attribute__((vector_size(GVW * 4), aligned(4)));
typedef float HKG(v8) __attribute__((vector_size(32), aligned(4)));

static inline HKG(vec) HKG(load)(const float *p) { HKG(vec) v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void HKG(store)(float *p, HKG(vec) v) { __builtin_memcpy(p, &v, sizeof v); }

/// Packs the mc x kc block of A for the micro-kernel, which reads element (i, p) of a strip at
/// ap[i * *ars + p * acs]. Row-major A (cs == 1) is copied row by row (ars = kc, acs = 1); transposed A
/// (rs == 1) is interleaved into strips of GMR rows (ars = 1, acs = GMR). Rows past mc are zero.
static void HKG(pack_a)(const float *a, long rs, long cs, long mc, long kc, float *d, long *ars, long *acs) {
  long rows = (mc + GMR - 1) / GMR * GMR;
  if (cs == 1) {
    *ars = kc; *acs = 1;
    for (long i = 0; i < mc; i++) __builtin_memcpy(d + i * kc, a + i * rs, (size_t)kc * sizeof(float));
    for (long i = mc; i < rows; i++) __builtin_memset(d + i * kc, 0, (size_t)kc * sizeof(float));
    return;
  }
  *ars = 1; *acs = GMR;
  long full = mc / GMR * GMR;
  if (rs == 1) {
    // A stored transposed: row p of the source holds the mc values of column p; read it contiguously.
    for (long p = 0; p < kc; p++) {
      const float *row = a + p * cs;
      for (long s = 0; s < full; s += GMR) {
        float *dst = d + s * kc + p * GMR;
#pragma clang loop unroll(full)
        for (int i = 0; i < GMR; i++) dst[i] = row[s + i];
      }
    }
  } else {
    for (long s = 0; s < full; s += GMR) {
      const float *src = a + s * rs;
      float *dst = d + s * kc;
      for (long p = 0; p < kc; p++) {
#pragma clang loop unroll(full)
        for (int i = 0; i < GMR; i++) dst[i] = src[i * rs + p * cs];
        dst += GMR;
      }
    }
  }
  if (full < mc) {  // last, partial strip: zero padded
    long left = mc - full;
    const float *src = a + full * rs;
    float *dst = d + full * kc;
    for (long p = 0; p < kc; p++) {
      for (long i = 0; i < GMR; i++) dst[i] = i < left ? src[i * rs + p * cs] : 0.0f;
      dst += GMR;
    }
  }
}

static void HKG(pack_b)(const float *b, long rs, long cs, long kc, long nc, float *d) {
  for (long s = 0; s < nc; s += GNR) {
    long cols = nc - s < GNR ? nc - s : GNR;
    const float *src = b + s * cs;
    if (cols == GNR && cs == 1) {
      for (long p = 0; p < kc; p++) {
#pragma clang loop unroll(full)
        for (int v = 0; v < GNR / GVW; v++) HKG(store)(d + v * GVW, HKG(load)(src + p * rs + v * GVW));
        d += GNR;
      }
    } else if (cols == GNR && rs == 1) {
      // Transposed B: columns are contiguous in p. 8 x 8 blocks are transposed in registers.
      long p8 = kc / 8 * 8;
      for (long j0 = 0; j0 < GNR; j0 += 8) {
        for (long p = 0; p < p8; p += 8) {
          HKG(v8) r[8], t[8], u[8];
#pragma clang loop unroll(full)
          for (int i = 0; i < 8; i++) __builtin_memcpy(&r[i], src + (j0 + i) * cs + p, sizeof r[i]);
#pragma clang loop unroll(full)
          for (int i = 0; i < 8; i += 2) {
            t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
            t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
          }
#pragma clang loop unroll(full)
          for (int i = 0; i < 8; i += 4) {
            u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
            u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
            u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
            u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
          }
#pragma clang loop unroll(full)
          for (int q = 0; q < 4; q++) {
            HKG(v8) lo = __builtin_shufflevector(u[q], u[q + 4], 0, 1, 2, 3, 8, 9, 10, 11);
            HKG(v8) hi = __builtin_shufflevector(u[q], u[q + 4], 4, 5, 6, 7, 12, 13, 14, 15);
            __builtin_memcpy(d + (p + q) * GNR + j0, &lo, sizeof lo);
            __builtin_memcpy(d + (p + q + 4) * GNR + j0, &hi, sizeof hi);
          }
        }
        for (long j = j0; j < j0 + 8; j++) {
          const float *col = src + j * cs;
          for (long p = p8; p < kc; p++) d[p * GNR + j] = col[p];
        }
      }
      d += GNR * kc;
    } else {
      for (long p = 0; p < kc; p++) {
        for (long j = 0; j < GNR; j++) d[j] = j < cols ? src[p * rs + j * cs] : 0.0f;
        d += GNR;
      }
    }
  }
}

/// FMA throughput probe: `iters` rounds of 12 independent vector FMA chains (more than the FMA latency x
/// ports of current x86 cores, so it runs at the issue limit); returns a sum of the chains so the work
/// is kept. Performs 2 * 12 * GVW * iters floating-point operations.
static float HKG(fma_probe)(long iters) {
  HKG(vec) acc[12], x = (HKG(vec)){0} + 0.999f, y = (HKG(vec)){0} + 1e-4f;
#pragma clang loop unroll(full)
  for (int i = 0; i < 12; i++) acc[i] = (HKG(vec)){0} + (float)i;
  for (long r = 0; r < iters; r++) {
#pragma clang loop unroll(full)
    for (int i = 0; i < 12; i++) acc[i] = acc[i] * x + y;
  }
  float s = 0;
#pragma clang loop unroll(full)
  for (int i = 0; i < 12; i++)
    for (int v = 0; v < GVW; v++) s += acc[i][v];
  return s;
}

/// Register-tile kernel: C[0..mr, 0..nr] = alpha * Ap Bp + beta * C, then (when `bias` is non-NULL)
/// + bias[j] and (when `relu`) max(., 0): the epilogue of a fused linear layer. Ap's element (i, p) is at
/// ap[i * ars + p * acs] (the layout pack_a chose), Bp's is at bp[p * GNR + j].
static void HKG(micro)(long kc, const float *ap, long ars, long acs, const float *bp, float *c, long rsC, long csC,
                       long mr, long nr, float alpha, float beta, const float *bias, int relu) {
  HKG(vec) acc[GMR][GNR / GVW];
#pragma clang loop unroll(full)
  for (int i = 0; i < GMR; i++)
#pragma clang loop unroll(full)
    for (int v = 0; v < GNR / GVW; v++) acc[i][v] = (HKG(vec)){0};
  // Ask for the C tile's cache lines now, so that their misses overlap the products instead of stalling
  // the stores at the end (C is often fresh memory: 1-3 % on the INR layers' GEMMs, which stream C).
  if (csC == 1 && nr == GNR)
    for (long i = 0; i < mr; i++)
#pragma clang loop unroll(full)
      for (int l = 0; l < GNR * 4 / 64; l++) __builtin_prefetch(c + i * rsC + l * 16, 1, 3);
  for (long p = 0; p < kc; p++) {
    HKG(vec) b[GNR / GVW];
#pragma clang loop unroll(full)
    for (int v = 0; v < GNR / GVW; v++) b[v] = HKG(load)(bp + v * GVW);
#pragma clang loop unroll(full)
    for (int i = 0; i < GMR; i++) {
      float a = ap[i * ars];
#pragma clang loop unroll(full)
      for (int v = 0; v < GNR / GVW; v++) acc[i][v] = a * b[v] + acc[i][v];
    }
    ap += acs;
    bp += GNR;
  }
  if (mr == GMR && nr == GNR && csC == 1) {
#pragma clang loop unroll(full)
    for (int i = 0; i < GMR; i++) {
#pragma clang loop unroll(full)
      for (int v = 0; v < GNR / GVW; v++) {
        float *dst = c + i * rsC + v * GVW;
        HKG(vec) r = acc[i][v];
        if (alpha != 1.0f) r = r * alpha;
        if (beta != 0.0f) r = beta == 1.0f ? r + HKG(load)(dst) : HKG(load)(dst) * beta + r;
        if (bias) r = r + HKG(load)(bias + v * GVW);
        if (relu) r = (HKG(vec))((__typeof__(r > r))r & (r > 0));
        HKG(store)(dst, r);
      }
    }
  } else {
    // Edge tile (or strided C): spill the accumulators, then update row by row.
    float t[GMR * GNR];
#pragma clang loop unroll(full)
    for (int i = 0; i < GMR; i++)
#pragma clang loop unroll(full)
      for (int v = 0; v < GNR / GVW; v++) HKG(store)(t + i * GNR + v * GVW, acc[i][v]);
    // Separate loops per case: a condition inside one loop becomes masked loads (slow on some CPUs).
    for (long i = 0; i < mr; i++) {
      const float *src = t + i * GNR;
      float *row = c + i * rsC;
      if (beta == 0.0f) {
        for (long j = 0; j < nr; j++) row[j * csC] = alpha * src[j];
      } else {
        for (long j = 0; j < nr; j++) row[j * csC] = alpha * src[j] + beta * row[j * csC];
      }
      if (bias) for (long j = 0; j < nr; j++) row[j * csC] += bias[j];
      if (relu) for (long j = 0; j < nr; j++) row[j * csC] = row[j * csC] > 0.0f ? row[j * csC] : 0.0f;
    }
  }
}

static void HKG(sgemm)(long m, long n, long k, float alpha, const float *a, long rsA, long csA,
                       const float *b, long rsB, long csB, float beta, float *c, long rsC, long csC,
                       long MC, long KC, long NC, float *pa, float *pb, const float *bias, int relu) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (long i = 0; i < m; i++)
      for (long j = 0; j < n; j++) {
        float *d = c + i * rsC + j * csC;
        float v = beta == 0.0f ? 0.0f : beta * *d;
        if (bias) v += bias[j];
        if (relu && !(v > 0.0f)) v = 0.0f;
        *d = v;
      }
    return;
  }
  for (long jc = 0; jc < n; jc += NC) {
    long nc = n - jc < NC ? n - jc : NC;
    for (long pc = 0; pc < k; pc += KC) {
      long kc = k - pc < KC ? k - pc : KC;
      int last = pc + kc >= k;
      HKG(pack_b)(b + pc * rsB + jc * csB, rsB, csB, kc, nc, pb);
      float betaEff = pc == 0 ? beta : 1.0f;
      for (long ic = 0; ic < m; ic += MC) {
        long mc = m - ic < MC ? m - ic : MC;
        // Transposed A already holds each strip's GMR values of column p side by side: the micro-kernel
        // reads its full strips in place (unless the row stride is a multiple of 4 KiB, whose rows would
        // share L1 sets); only the last, partial strip is packed and zero padded. Row-major A is packed by
        // row copies: reading its rows in place instead was 3-8 % slower on tall, cold A (the INR layers).
        const float *ablk = a + ic * rsA + pc * csA;
        long direct = rsA == 1 && csA % 1024 != 0 ? mc / GMR * GMR : 0, ars = 0, acs = 0;
        if (direct < mc) HKG(pack_a)(ablk + direct * rsA, rsA, csA, mc - direct, kc, pa, &ars, &acs);
        for (long jr = 0; jr < nc; jr += GNR) {
          long nr = nc - jr < GNR ? nc - jr : GNR;
          for (long ir = 0; ir < mc; ir += GMR) {
            long mr = mc - ir < GMR ? mc - ir : GMR;
            int inPlace = ir < direct;
            HKG(micro)(kc, inPlace ? ablk + ir * rsA : pa + (ir - direct) * kc, inPlace ? rsA : ars, inPlace ? csA : acs,
                       pb + jr * kc, c + (ic + ir) * rsC + (jc + jr) * csC, rsC, csC,
                       mr, nr, alpha, betaEff, last && bias ? bias + jc + jr : 0, last && relu);
          }
        }
      }
    }
  }
}
