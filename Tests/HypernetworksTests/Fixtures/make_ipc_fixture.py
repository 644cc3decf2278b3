"""Generates ipc.safetensors, the PyTorch reference of Instance Pattern Composers' numerics.
usage: python3 make_ipc_fixture.py   (needs torch and safetensors; writes into this folder)

An independent implementation of IPC (Kim et al., CVPR 2023) on a Fourier-feature ReLU INR with 2 hidden
layers of width 8 (input 2, 4 frequencies up to sigma 4, output 3 + 0.5), layer 1 modulated at rank 3:
- every shared layer's weight is normalised to unit L2 columns (over fan-in); layer 1 is
  normalize(U V) with U [B, 8, 3] per instance and V [3, 8] shared (Eq. 4);
- the transformer variant's head: LayerNorm(16) then Linear(16, 8) of each weight token's output h
  [B, 3, 16] gives the columns of U;
- the meta-learned variant: U starts from U0 [8, 3] and takes 2 SGD steps on
  sum_b mean((INR_b(x) - y_b)^2), each scaled by ||U_b||^2, lr 0.01, keeping the graph; the meta
  loss is the mean squared error after adaptation, and its gradients are second order.
Tensor names follow HyperINR's modules (IPC: head.*, inr.*; MetaIPC: inr.*, init_factor).
"""
import math
import os
import torch
from safetensors.torch import save_file

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
B, N, R, D, F, SIGMA = 2, 12, 3, 16, 4, 4.0
shapes = [(2 * 2 * F, 8), (8, 8), (8, 3)]

coords = torch.rand(N, 2) * 2 - 1
targets = torch.rand(B, N, 3)
p = {
    "inr.base.0": torch.randn(shapes[0][0] + 1, shapes[0][1]) * 0.3,
    "inr.base.2": torch.randn(shapes[2][0] + 1, shapes[2][1]) * 0.3,
    "inr.bias": torch.randn(1, 8) * 0.1,
    "inr.shared_factor": torch.randn(R, 8) / math.sqrt(R * 8),
    "init_factor": torch.randn(8, R),
    "head.norm.weight": 1 + 0.1 * torch.randn(D),
    "head.norm.bias": 0.1 * torch.randn(D),
    "head.linear.weight": torch.randn(8, D) / 4,
    "head.linear.bias": 0.1 * torch.randn(8),
}
h = torch.randn(B, R, D)


def features(x):
    freqs = torch.exp(torch.linspace(0, math.log(SIGMA), F)) * math.pi
    a = x.unsqueeze(-1) * freqs  # [N, 2, F]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=-1).reshape(x.shape[0], -1)


def inr(params, u):
    x = features(coords).unsqueeze(0).expand(B, -1, -1)
    for k in range(3):
        if k == 1:
            w = torch.nn.functional.normalize(u @ params["inr.shared_factor"], dim=1)
            b = params["inr.bias"]
        else:
            packed = params[f"inr.base.{k}"]
            w = torch.nn.functional.normalize(packed[:-1], dim=0)
            b = packed[-1:]
        x = x @ w + b
        if k < 2:
            x = torch.relu(x)
    return x + 0.5


def head(params):
    z = torch.nn.functional.layer_norm(h, (D,), params["head.norm.weight"], params["head.norm.bias"], eps=1e-5)
    return (z @ params["head.linear.weight"].T + params["head.linear.bias"]).transpose(1, 2)  # U [B, 8, R]


params = {k: v.clone().requires_grad_(True) for k, v in p.items()}
u_head = head(params)
out_head = inr(params, u_head)

u = params["init_factor"].unsqueeze(0).expand(B, -1, -1)
for _ in range(2):
    inner = ((inr(params, u) - targets) ** 2).mean(dim=(1, 2)).sum()
    (g,) = torch.autograd.grad(inner, u, create_graph=True)
    u = u - 0.01 * u.pow(2).sum(dim=(1, 2), keepdim=True) * g
meta_loss = ((inr(params, u) - targets) ** 2).mean()
names = ["inr.base.0", "inr.base.2", "inr.bias", "inr.shared_factor", "init_factor"]
grads = torch.autograd.grad(meta_loss, [params[n] for n in names])

out = dict(p)
out.update({"coords": coords, "targets": targets, "h": h, "u_head": u_head.detach(), "out_head": out_head.detach(),
            "u_adapted": u.detach(), "meta_loss": meta_loss.detach().reshape(1)})
out.update({f"grad.{n}": g.detach() for n, g in zip(names, grads)})
save_file({k: v.contiguous().float() for k, v in out.items()}, os.path.join(here, "ipc.safetensors"),
          metadata={"torch": torch.__version__})
print("wrote ipc.safetensors with torch", torch.__version__)
