"""W5 reference: the NeRF of hyperinr-bench's W5 in PyTorch CPU — positional encoding [cos(f x), sin(f x)],
f = 2^linspace(0, 8, 10), a ReLU MLP 60 -> 4 x 128 -> 4, sigmoid colours, softplus densities, volume
rendering over white (alpha = 1 - exp(-sigma delta), transmittance by an exclusive cumulative sum, last delta
1e-3) at 64 depths in [2, 6] per ray.
usage: python3 nerf_torch.py THREADS step|render
  step:   one training step on 1024 rays (jittered depths, MSE, backward, Adam lr 1e-3)
  render: one 64 x 64 view (4096 rays, fixed depths), no gradients"""
import sys
from common import setup_torch, maybe_compile, median_ms, report

threads, mode = int(sys.argv[1]), sys.argv[2]
torch = setup_torch(threads)
P, NEAR, FAR = 64, 2.0, 6.0
freqs = 2.0 ** torch.linspace(0, 8, 10)


class NeRF(torch.nn.Module):
    def __init__(self, width=128, hidden=4):
        super().__init__()
        dims = [60] + [width] * hidden + [4]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(dims[i], dims[i + 1]) for i in range(len(dims) - 1))

    def forward(self, x):  # x [N, 3]
        a = x[:, :, None] * freqs  # [N, 3, F]
        h = torch.cat([torch.cos(a), torch.sin(a)], -1).reshape(x.shape[0], -1)
        for l in self.layers[:-1]:
            h = torch.relu(l(h))
        return self.layers[-1](h)


def render(model, o, d, t):
    r = t.shape[0]
    pts = o[:, None, :] + d[:, None, :] * t[:, :, None]
    raw = model(pts.reshape(-1, 3)).reshape(r, P, 4)
    rgb, sigma = torch.sigmoid(raw[..., :3]), torch.nn.functional.softplus(raw[..., 3])
    delta = torch.cat([t[:, 1:] - t[:, :-1], torch.full((r, 1), 1e-3)], 1)
    tau = sigma * delta
    w = torch.exp(-(torch.cumsum(tau, 1) - tau)) * (1 - torch.exp(-tau))
    return (w[..., None] * rgb).sum(1) + (1 - w.sum(1))[:, None]


model = NeRF()
g = torch.Generator().manual_seed(0)
base = torch.linspace(NEAR, FAR, P)
if mode == "step":
    R = 1024
    o = torch.randn(R, 3, generator=g)
    d = torch.nn.functional.normalize(torch.randn(R, 3, generator=g), dim=1)
    target = torch.rand(R, 3, generator=g)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    net = maybe_compile(model)
    mid = (base[1:] + base[:-1]) / 2
    lo, hi = torch.cat([base[:1] * 0 + NEAR, mid]), torch.cat([mid, base[:1] * 0 + FAR])

    def step():
        t = lo + (hi - lo) * torch.rand(R, P)
        opt.zero_grad(set_to_none=True)
        loss = ((render(net, o, d, t) - target) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    med, mn = median_ms(step, warmup=3, runs=7)
    report("W5 step", threads, med, mn)
else:
    R = 4096
    o = torch.randn(R, 3, generator=g)
    d = torch.nn.functional.normalize(torch.randn(R, 3, generator=g), dim=1)
    t = base.expand(R, P).contiguous()
    net = maybe_compile(model)

    def view():
        with torch.no_grad():
            return render(net, o, d, t)

    med, mn = median_ms(view, warmup=3, runs=7)
    report("W5 render", threads, med, mn)
