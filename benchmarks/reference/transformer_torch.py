"""Transformer reference: one pre-LN encoder layer (dim 256, 4 heads, GELU MLP 1024) on 8 x 128 tokens,
forward + backward of mean(y^2), in PyTorch CPU.  usage: python3 transformer_torch.py THREADS"""
import sys
from common import setup_torch, maybe_compile, median_ms, report

threads = int(sys.argv[1])
torch = setup_torch(threads)
layer = torch.nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0, activation="gelu", batch_first=True,
                                         norm_first=True)
x = torch.randn(8, 128, 256)
compiled = maybe_compile(layer)


def step():
    layer.zero_grad(set_to_none=True)
    (compiled(x) ** 2).mean().backward()


med, mn = median_ms(step, runs=9)
report("transformer", threads, med, mn)
