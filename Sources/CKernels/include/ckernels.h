// Hot CPU kernels of HyperTensor. Every kernel exists twice: built for AVX2+FMA (selected at run time
// when the CPU has both) and for the baseline ISA of the target; the GEMM has a third, AVX-512 variant.
// See docs/ARCHITECTURE.md.
#ifndef HYPERINR_CKERNELS_H
#define HYPERINR_CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set variants of the kernels.
enum hk_isa { HK_ISA_BASELINE = 0, HK_ISA_AVX2_FMA = 1, HK_ISA_AVX512 = 2 };

/// The best variant this CPU supports.
int hk_best_isa(void);
/// The variant in use: initially hk_best_isa(), capped by HYPERINR_ISA=baseline or avx2.
int hk_active_isa(void);
/// Selects a variant; returns 0 if the CPU does not support it (the selection is unchanged).
int hk_select_isa(int isa);
/// A spin-wait hint for the CPU (PAUSE on x86), for threads polling shared memory.
static inline void hk_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Register tiles (rows x columns) of the GEMM micro-kernels: 6 x 16 in every variant, and with AVX-512 a
/// wide 6 x 64 tile, used for products with at least 64 output columns (narrower ones run faster on 6 x 16).
enum { HK_GEMM_MR = 6, HK_GEMM_NR = 16, HK_GEMM_WIDE_NR = 64 };
/// 1 when the active variant has the wide tile.
int hk_gemm_has_wide(void);

/// Single-threaded cache-blocked SGEMM, row-major:
/// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, with strides (rsX, csX) per matrix so that
/// transposed operands are views; on the wide tile when `wide` (requires hk_gemm_has_wide()).
/// packA needs roundup(mc, MR) * kc floats, packB roundup(nc, NR or WIDE_NR) * kc.
/// Epilogue: when `bias` is non-NULL, bias[j] is added to column j; when `relu`, max(., 0) follows.
void hk_sgemm(long m, long n, long k, float alpha,
              const float *a, long rsA, long csA,
              const float *b, long rsB, long csB,
              float beta, float *c, long rsC, long csC,
              long mc, long kc, long nc, float *packA, float *packB,
              const float *bias, int relu, int wide);

/// FMA peak probe on the active variant's GEMM vectors (16 floats when `wide` and the variant is AVX-512,
/// else 8): 2 * 12 * width * iters flops of independent FMA chains; the return value only keeps the work.
float hk_fma_probe(long iters, int wide);

/// y = gate > 0 ? x : 0 elementwise (the ReLU backward rule; ReLU itself with gate == x).
void hk_relu_gate(const float *x, const float *gate, float *y, long n);

/// c[i, j] = act(c[i, j] + bias[j]) on a rows x cols block with row stride ldc (bias may be NULL;
/// act is max(., 0) when relu, else the identity).
void hk_bias_act(float *c, long rows, long cols, long ldc, const float *bias, int relu);

/// C[i, j] = alpha * dot(A[i, :], Bt[j, :]) + beta * C[i, j] for i in [i0, i1), n <= 6 columns: a
/// streaming kernel for very narrow outputs (e.g. the RGB layer). A is row-major with row stride lda.
void hk_sgemm_narrow(long i0, long i1, long n, long k, float alpha,
                     const float *a, long lda, const float *bt, float beta, float *c, long ldc);

/// Elementwise transcendental functions, polynomial, |error| about 1e-7 relative on their main range.
enum hk_unary_op {
  HK_EXP = 0, HK_LOG, HK_SIN, HK_COS, HK_TANH, HK_SIGMOID, HK_GELU_TANH, HK_GELU_ERF, HK_ERF, HK_SOFTPLUS
};
void hk_unary(int op, const float *x, float *y, long n);
/// dx = g * (Phi(x) + x phi(x)), the backward rule of the exact GELU x Phi(x), elementwise (dx may be g).
void hk_gelu_erf_backward(const float *x, const float *g, float *dx, long n);

/// Adam / AdamW update in place (PyTorch semantics). wdMode 0: none, 1: L2 added to the gradient
/// (Adam), 2: decoupled (AdamW). bc1 = 1 - beta1^t, bc2 = 1 - beta2^t.
void hk_adam(float *p, const float *g, float *m, float *v, long n, float lr, float beta1, float beta2,
             float eps, float wd, int wdMode, float bc1, float bc2);

/// Layer normalisation of `rows` rows of length d without affine terms: y = (x - mean) * rstd, with
/// rstd = 1 / sqrt(var + eps) written per row.
void hk_layernorm(const float *x, float *y, long rows, long d, float eps, float *rstd);

/// Softmax (logMode 0) or log-softmax (logMode 1) of `rows` contiguous rows of length d.
void hk_softmax(const float *x, float *y, long rows, long d, int logMode);

/// The softmax backward rule, scaled: dx = scale * y * (g - sum(g * y)) on each of `rows` rows of length d,
/// given the softmax output y and the incoming gradient g (dx may be g).
void hk_softmax_backward(const float *y, const float *g, float *dx, long rows, long d, float scale);

/// Sum of n floats with vector accumulators (double-free pairwise-ish: 4 x 8 lanes, then a tree).
float hk_sum(const float *x, long n);
/// Sum of squares of n floats.
float hk_sumsq(const float *x, long n);
/// 1 when none of the n floats is NaN or infinite, else 0.
int hk_all_finite(const float *x, long n);
/// y[j] += sum over rows of x[r, j] for a rows x d row-major block.
void hk_colsum_add(const float *x, long rows, long d, float *y);
/// hk_colsum_add of v = gate > 0 ? x : 0 (the ReLU backward rule), v also written to out: the gradient a ReLU
/// layer passes on and its bias gradient in one pass.
void hk_relu_gate_colsum_add(const float *x, const float *gate, float *out, long rows, long d, float *y);

#ifdef __cplusplus
}
#endif
#endif
