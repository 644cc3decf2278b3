"""Generates the HyperNN test fixtures with PyTorch and Python's safetensors package.
usage: python3 make_fixtures.py   (needs torch and safetensors; writes into this folder)

optimizers.safetensors: for each optimizer configuration, a parameter p0 [3, 4], gradients g1..g3 and
  the parameter after each of three steps, as torch.optim computes them.
dtypes.safetensors: the same values stored as F32, F16 and BF16, plus string metadata.
"""
import os
import torch
from safetensors.torch import save_file

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
p0 = torch.randn(3, 4)
grads = [torch.randn(3, 4) for _ in range(3)]

configs = {
    "adam": lambda p: torch.optim.Adam([p], lr=1e-2, betas=(0.9, 0.999), eps=1e-8),
    "adam_l2": lambda p: torch.optim.Adam([p], lr=1e-2, weight_decay=0.1),
    "adamw": lambda p: torch.optim.AdamW([p], lr=1e-2, weight_decay=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True),
}
out = {"p0": p0.clone()}
for i, g in enumerate(grads):
    out[f"g{i + 1}"] = g.clone()
for name, make in configs.items():
    p = torch.nn.Parameter(p0.clone())
    opt = make(p)
    for i, g in enumerate(grads):
        p.grad = g.clone()
        opt.step()
        out[f"{name}.step{i + 1}"] = p.detach().clone()
save_file(out, os.path.join(here, "optimizers.safetensors"), metadata={"torch": torch.__version__})

v = torch.tensor([[0.0, 1.0, -2.5, 3.140625], [65504.0, -1e-4, 6e-8, 0.333251953125]])
save_file({"f32": v.clone(), "f16": v.to(torch.float16), "bf16": v.to(torch.bfloat16),
           "bf16_as_f32": v.to(torch.bfloat16).float(), "f16_as_f32": v.to(torch.float16).float()},
          os.path.join(here, "dtypes.safetensors"), metadata={"producer": "make_fixtures.py", "note": "é ünïcode"})
print("wrote optimizers.safetensors and dtypes.safetensors with torch", torch.__version__)
