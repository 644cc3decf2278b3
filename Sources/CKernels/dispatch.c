// Builds every kernel twice (AVX2+FMA and baseline) from kernels_impl.h, and the GEMM a third time for
// AVX-512, and picks one variant at run time.
#include "ckernels.h"
#include <stdlib.h>
#include <string.h>

#define HK_SPLATI(v) ((v8i){(v), (v), (v), (v), (v), (v), (v), (v)})

#if defined(__x86_64__) || defined(__i386__)
#define HK_HAVE_AVX2_VARIANT 1
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define HK(name) name##_avx2
#include "kernels_impl.h"
#undef HK
#define HKG(name) name##_avx2
#define GMR HK_GEMM_MR
#define GNR HK_GEMM_NR
#define GVW 8
#include "gemm_impl.h"
#undef HKG
#undef GMR
#undef GNR
#undef GVW
#pragma clang attribute pop

// AVX-512: only the GEMM's wide tile (6 x 64 of 16-wide vectors, 24 accumulators in 32 registers); the
// 6 x 16 tile and the memory-bound kernels stay AVX2.
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#define HKG(name) name##_avx512
#define GMR HK_GEMM_MR
#define GNR HK_GEMM_WIDE_NR
#define GVW 16
#include "gemm_impl.h"
#undef HKG
#undef GMR
#undef GNR
#undef GVW
#pragma clang attribute pop
#endif

// The baseline copy passes 8-float vectors between its static helpers, which clang flags as an ABI change
// without AVX (-Wpsabi); they never cross a call boundary seen from outside this file.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpsabi"
#define HK(name) name##_base
#include "kernels_impl.h"
#undef HK
#define HKG(name) name##_base
#define GMR HK_GEMM_MR
#define GNR HK_GEMM_NR
#define GVW 8
#include "gemm_impl.h"
#undef HKG
#undef GMR
#undef GNR
#undef GVW
#pragma clang diagnostic pop

static int hk_isa_state = -1;

int hk_best_isa(void) {
#ifdef HK_HAVE_AVX2_VARIANT
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return __builtin_cpu_supports("avx512f") ? HK_ISA_AVX512 : HK_ISA_AVX2_FMA;
  }
#endif
  return HK_ISA_BASELINE;
}

int hk_active_isa(void) {
  int s = __atomic_load_n(&hk_isa_state, __ATOMIC_RELAXED);
  if (s < 0) {
    const char *env = getenv("HYPERINR_ISA");
    s = hk_best_isa();
    if (env && strcmp(env, "baseline") == 0) s = HK_ISA_BASELINE;
    if (env && strcmp(env, "avx2") == 0 && s > HK_ISA_AVX2_FMA) s = HK_ISA_AVX2_FMA;
    __atomic_store_n(&hk_isa_state, s, __ATOMIC_RELAXED);
  }
  return s;
}

int hk_select_isa(int isa) {
  if (isa != HK_ISA_BASELINE && isa > hk_best_isa()) return 0;
  __atomic_store_n(&hk_isa_state, isa, __ATOMIC_RELAXED);
  return 1;
}

int hk_gemm_has_wide(void) { return hk_active_isa() == HK_ISA_AVX512; }

#ifdef HK_HAVE_AVX2_VARIANT
#define HK_DISPATCH(name, ...) \
  do { if (hk_active_isa() >= HK_ISA_AVX2_FMA) name##_avx2(__VA_ARGS__); else name##_base(__VA_ARGS__); } while (0)
#define HK_DISPATCH_RET(name, ...) \
  return hk_active_isa() >= HK_ISA_AVX2_FMA ? name##_avx2(__VA_ARGS__) : name##_base(__VA_ARGS__)
#else
#define HK_DISPATCH(name, ...) name##_base(__VA_ARGS__)
#define HK_DISPATCH_RET(name, ...) return name##_base(__VA_ARGS__)
#endif

void hk_sgemm(long m, long n, long k, float alpha, const float *a, long rsA, long csA, const float *b,
              long rsB, long csB, float beta, float *c, long rsC, long csC, long mc, long kc, long nc,
              float *packA, float *packB, const float *bias, int relu, int wide) {
#ifdef HK_HAVE_AVX2_VARIANT
  if (wide && hk_active_isa() == HK_ISA_AVX512) {
    sgemm_avx512(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, mc, kc, nc, packA, packB, bias, relu);
    return;
  }
#endif
  HK_DISPATCH(sgemm, m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, mc, kc, nc, packA, packB, bias, relu);
}

float hk_fma_probe(long iters, int wide) {
#ifdef HK_HAVE_AVX2_VARIANT
  if (wide && hk_active_isa() == HK_ISA_AVX512) return fma_probe_avx512(iters);
#endif
  HK_DISPATCH_RET(fma_probe, iters);
}

void hk_relu_gate(const float *x, const float *gate, float *y, long n) { HK_DISPATCH(relu_gate, x, gate, y, n); }

void hk_bias_act(float *c, long rows, long cols, long ldc, const float *bias, int relu) {
  HK_DISPATCH(bias_act, c, rows, cols, ldc, bias, relu);
}

void hk_sgemm_narrow(long i0, long i1, long n, long k, float alpha, const float *a, long lda,
                     const float *bt, float beta, float *c, long ldc) {
  HK_DISPATCH(sgemm_narrow, i0, i1, n, k, alpha, a, lda, bt, beta, c, ldc);
}

void hk_unary(int op, const float *x, float *y, long n) { HK_DISPATCH(unary, op, x, y, n); }
void hk_gelu_erf_backward(const float *x, const float *g, float *dx, long n) { HK_DISPATCH(gelu_erf_backward, x, g, dx, n); }

void hk_adam(float *p, const float *g, float *m, float *v, long n, float lr, float beta1, float beta2,
             float eps, float wd, int wdMode, float bc1, float bc2) {
  HK_DISPATCH(adam, p, g, m, v, n, lr, beta1, beta2, eps, wd, wdMode, bc1, bc2);
}

void hk_layernorm(const float *x, float *y, long rows, long d, float eps, float *rstd) {
  HK_DISPATCH(layernorm, x, y, rows, d, eps, rstd);
}

void hk_softmax(const float *x, float *y, long rows, long d, int logMode) {
  HK_DISPATCH(softmax, x, y, rows, d, logMode);
}

void hk_softmax_backward(const float *y, const float *g, float *dx, long rows, long d, float scale) {
  HK_DISPATCH(softmax_backward, y, g, dx, rows, d, scale);
}

float hk_sum(const float *x, long n) { HK_DISPATCH_RET(sum, x, n); }
float hk_sumsq(const float *x, long n) { HK_DISPATCH_RET(sumsq, x, n); }
int hk_all_finite(const float *x, long n) { HK_DISPATCH_RET(all_finite, x, n); }
void hk_colsum_add(const float *x, long rows, long d, float *y) { HK_DISPATCH(colsum_add, x, rows, d, y); }
void hk_relu_gate_colsum_add(const float *x, const float *gate, float *out, long rows, long d, float *y) {
  HK_DISPATCH(relu_gate_colsum_add, x, gate, out, rows, d, y);
}
