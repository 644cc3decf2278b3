"""W3/W4 reference: the Trans-INR of configs/transinr-emoji.yaml in PyTorch CPU (same shapes and ops as
HyperINR's: patch tokens + learned positions, weight tokens g = min(G, fan_out), pre-LN encoder with a
final LayerNorm, per-layer LayerNorm + Linear heads, weight grouping with unit-L2 columns, shared base
bias, Fourier-feature ReLU INR evaluated with batched matmuls, output + 0.5).

usage: python3 transinr_torch.py step|encode|decode THREADS CONFIG_JSON
  step:   one training step (forward, MSE on all pixels, backward, Adam) on a batch of random images
  encode: one image -> INR weights (no gradients)
  decode: INR weights -> all pixels of one image (no gradients)
CONFIG_JSON: {"size","patch","dim","depth","heads","groups","hidden","width","frequencies","sigma","batch"}"""
import json
import math
import sys

from common import setup_torch, maybe_compile, median_ms, report

mode, threads, cfg = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
torch = setup_torch(threads)
nn, F = torch.nn, torch.nn.functional

S, P, C, D = cfg["size"], cfg["patch"], 3, cfg["dim"]
Q = S // P
N = Q * Q
enc_dim = 2 * 2 * cfg["frequencies"]
dims = [enc_dim] + [cfg["width"]] * cfg["hidden"] + [C]
shapes = list(zip(dims[:-1], dims[1:]))


class TransINR(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokenizer = nn.Linear(P * P * C, D)
        self.pos = nn.Parameter(torch.randn(N, D) * 0.02)
        self.wtokens = nn.ParameterList([nn.Parameter(torch.randn(min(cfg["groups"], fo), D) * 0.02) for _, fo in shapes])
        layer = nn.TransformerEncoderLayer(D, cfg["heads"], 4 * D, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg["depth"], norm=nn.LayerNorm(D), enable_nested_tensor=False)
        self.heads = nn.ModuleList([nn.Sequential(nn.LayerNorm(D), nn.Linear(D, fi)) for fi, _ in shapes])
        self.base = nn.ParameterList([nn.Parameter(torch.empty(fi + 1, fo).uniform_(-fi ** -0.5, fi ** -0.5)) for fi, fo in shapes])

    def forward(self, x):
        b = x.shape[0]
        t = x.reshape(b, Q, P, Q, P, C).permute(0, 1, 3, 2, 4, 5).reshape(b, N, P * P * C)
        h = torch.cat([self.tokenizer(t) + self.pos] + [w.unsqueeze(0).expand(b, -1, -1) for w in self.wtokens], 1)
        h = self.encoder(h)[:, N:]
        params, off = [], 0
        for k, (fi, fo) in enumerate(shapes):
            g = self.wtokens[k].shape[0]
            u = self.heads[k](h[:, off:off + g]).transpose(1, 2)
            off += g
            cols = u if g == fo else u[:, :, torch.arange(fo) % g]
            w = F.normalize(cols * self.base[k][:fi], dim=1)
            params.append(torch.cat([w, self.base[k][fi:].unsqueeze(0).expand(b, 1, fo)], 1))
        return params


def encode_coords(coords):
    f = cfg["frequencies"]
    freqs = torch.tensor([math.pi * math.exp(math.log(cfg["sigma"]) * k / (f - 1)) for k in range(f)])
    a = coords[..., None] * freqs
    return torch.cat([a.cos(), a.sin()], -1).reshape(coords.shape[0], -1)


def hyponet(features, params):
    h = features.unsqueeze(0).expand(params[0].shape[0], -1, -1)
    for k, p in enumerate(params):
        fi = p.shape[1] - 1
        h = torch.baddbmm(p[:, fi:], h, p[:, :fi])
        if k < len(params) - 1:
            h = F.relu(h)
    return h + 0.5


lin = torch.linspace(-1 + 1 / S, 1 - 1 / S, S)
coords = torch.stack(torch.meshgrid(lin, lin, indexing="ij"), -1).reshape(-1, 2)
model = TransINR()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
model, hyponet = maybe_compile(model), maybe_compile(hyponet)
B = cfg["batch"]
images = torch.rand(B, S, S, C)
targets = images.reshape(B, S * S, C)

if mode == "step":
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(hyponet(encode_coords(coords), model(images)), targets)
        loss.backward()
        opt.step()
    med, mn = median_ms(step, runs=7)
elif mode == "encode":
    model.eval()
    with torch.no_grad():
        med, mn = median_ms(lambda: model(images[:1]), runs=21)
else:
    model.eval()
    with torch.no_grad():
        params = model(images[:1])
        med, mn = median_ms(lambda: hyponet(encode_coords(coords), params), runs=21)
report("transinr-" + mode, threads, med, mn)
