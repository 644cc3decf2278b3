"""COIN-style fit of one image in PyTorch CPU, for comparison with `hyperinr fit`: SIREN with 10 hidden layers
of 28 (w0 30; first layer U(+-1/fan_in), others U(+-sqrt(6/fan_in)/30), biases PyTorch's default
U(+-1/sqrt(fan_in))), output + 0.5, full batch, Adam lr 2e-4 (constant), MSE; prints the final PSNR on all
pixels (unclamped) every 250 steps.
usage: python3 coin_fit_torch.py IMAGE.png STEPS THREADS"""
import math
import sys
import time
import numpy as np
import torch
from PIL import Image

path, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
img = torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255)
H, W = img.shape[:2]
target = img.reshape(-1, 3)
cy = -1 + (2 * torch.arange(H) + 1) / H
cx = -1 + (2 * torch.arange(W) + 1) / W
coords = torch.stack(torch.meshgrid(cy, cx, indexing="ij"), -1).reshape(-1, 2)
dims = [2] + [28] * 10 + [3]
layers = torch.nn.ModuleList(torch.nn.Linear(dims[i], dims[i + 1]) for i in range(len(dims) - 1))
with torch.no_grad():
    for i, l in enumerate(layers):
        bound = 1 / dims[i] if i == 0 else math.sqrt(6 / dims[i]) / 30
        l.weight.uniform_(-bound, bound)


def forward(x):
    for l in layers[:-1]:
        x = torch.sin(30 * l(x))
    return layers[-1](x) + 0.5


opt = torch.optim.Adam(layers.parameters(), lr=2e-4)
t0 = time.time()
for step in range(1, steps + 1):
    opt.zero_grad(set_to_none=True)
    loss = ((forward(coords) - target) ** 2).mean()
    loss.backward()
    opt.step()
    if step % 250 == 0 or step == steps:
        with torch.no_grad():
            mse = ((forward(coords) - target) ** 2).mean().item()
        print(f"step {step} psnr {-10 * math.log10(mse):.3f} elapsed {time.time() - t0:.0f}s", flush=True)
