"""W1 reference: one training step of a ReLU INR on 65,536 coordinates in PyTorch CPU.
2-D coordinates -> 40-dim positional encoding (10 frequencies, cos and sin, per coordinate, precomputed)
-> 4 hidden ReLU layers of 256 -> 3 outputs; MSE; forward + backward + Adam(lr 1e-4).
usage: python3 w1_torch.py THREADS"""
import sys
import math
from common import setup_torch, maybe_compile, median_ms, report

threads = int(sys.argv[1])
torch = setup_torch(threads)
side = 256
ys, xs = torch.meshgrid(torch.linspace(-1, 1, side), torch.linspace(-1, 1, side), indexing="ij")
coords = torch.stack([ys.reshape(-1), xs.reshape(-1)], -1)
freqs = (2.0 ** torch.arange(10)) * math.pi
ang = coords[:, :, None] * freqs
pe = torch.cat([torch.cos(ang), torch.sin(ang)], -1).reshape(coords.shape[0], 40)
target = torch.stack([0.5 + 0.5 * torch.sin(8 * coords.norm(dim=1)), 0.5 + 0.5 * torch.cos(5 * coords[:, 1]),
                      (coords[:, 0] > 0).float()], -1)
dims = [40, 256, 256, 256, 256, 3]
layers = []
for i in range(5):
    layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
    if i < 4:
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers)
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
model = maybe_compile(model)


def step():
    opt.zero_grad(set_to_none=True)
    loss = ((model(pe) - target) ** 2).mean()
    loss.backward()
    opt.step()


med, mn = median_ms(step, runs=9)
report("W1", threads, med, mn)
