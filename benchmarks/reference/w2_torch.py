"""W2 reference: one full-batch training step of COIN's SIREN (10 hidden layers x 28, w0 30) on a 768 x 512
image (393,216 coordinates) in PyTorch CPU: forward, MSE, backward, Adam(lr 2e-4).
usage: python3 w2_torch.py THREADS [IMAGE.png]   (without an image, a smooth synthetic target)"""
import math
import sys
from common import setup_torch, maybe_compile, median_ms, report

threads = int(sys.argv[1])
torch = setup_torch(threads)
H, W = 512, 768
if len(sys.argv) > 2:
    import numpy as np
    from PIL import Image
    target = torch.from_numpy(np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=np.float32) / 255)
    H, W = target.shape[0], target.shape[1]
    target = target.reshape(-1, 3)
else:
    ys, xs = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    target = torch.stack([0.5 + 0.4 * torch.sin(ys / 30.0), 0.5 + 0.4 * torch.cos(xs / 20.0), 0.5 + 0.0 * ys], -1).reshape(-1, 3)
cy = -1 + (2 * torch.arange(H) + 1) / H
cx = -1 + (2 * torch.arange(W) + 1) / W
coords = torch.stack(torch.meshgrid(cy, cx, indexing="ij"), -1).reshape(-1, 2)


class Siren(torch.nn.Module):
    def __init__(self, hidden=10, width=28, w0=30.0):
        super().__init__()
        dims = [2] + [width] * hidden + [3]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(dims[i], dims[i + 1]) for i in range(len(dims) - 1))
        self.w0 = w0
        with torch.no_grad():
            for i, l in enumerate(self.layers):
                bound = 1 / dims[i] if i == 0 else math.sqrt(6 / dims[i]) / w0
                l.weight.uniform_(-bound, bound)

    def forward(self, x):
        for l in self.layers[:-1]:
            x = torch.sin(self.w0 * l(x))
        return self.layers[-1](x) + 0.5


model = Siren()
opt = torch.optim.Adam(model.parameters(), lr=2e-4)
model = maybe_compile(model)


def step():
    opt.zero_grad(set_to_none=True)
    loss = ((model(coords) - target) ** 2).mean()
    loss.backward()
    opt.step()
    return loss


med, mn = median_ms(step, warmup=2, runs=5)
report("W2", threads, med, mn)
