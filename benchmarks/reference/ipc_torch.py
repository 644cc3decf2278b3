"""W6 reference: the IPC of configs/ipc-emoji.yaml in PyTorch CPU (same shapes and ops as HyperINR's:
patch tokens + learned positions, r weight tokens, pre-LN encoder with a final LayerNorm, one LayerNorm +
Linear head giving U [fan_in, r], the modulated layer normalize(U V) with V shared, every other layer shared
with unit-L2 columns; the shared layers before the modulated one run once for the whole batch, the rest
as batched matmuls; output + 0.5).

usage: python3 ipc_torch.py step THREADS CONFIG_JSON
  step: one training step (forward, MSE on all pixels, backward, Adam) on a batch of random images
CONFIG_JSON: {"size","patch","dim","depth","heads","rank","layer","hidden","width","frequencies","sigma","batch"}"""
import json
import math
import sys

from common import setup_torch, maybe_compile, median_ms, report

mode, threads, cfg = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
torch = setup_torch(threads)
nn, F = torch.nn, torch.nn.functional

S, P, C, D, R, M = cfg["size"], cfg["patch"], 3, cfg["dim"], cfg["rank"], cfg["layer"]
Q = S // P
N = Q * Q
enc_dim = 2 * 2 * cfg["frequencies"]
dims = [enc_dim] + [cfg["width"]] * cfg["hidden"] + [C]
shapes = list(zip(dims[:-1], dims[1:]))


class IPC(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokenizer = nn.Linear(P * P * C, D)
        self.pos = nn.Parameter(torch.randn(N, D) * 0.02)
        self.wtokens = nn.Parameter(torch.randn(R, D) * 0.02)
        layer = nn.TransformerEncoderLayer(D, cfg["heads"], 4 * D, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg["depth"], norm=nn.LayerNorm(D), enable_nested_tensor=False)
        fi, fo = shapes[M]
        self.head = nn.Sequential(nn.LayerNorm(D), nn.Linear(D, fi))
        self.v = nn.Parameter(torch.randn(R, fo) / math.sqrt(R * fi))
        self.bias = nn.Parameter(torch.zeros(1, fo))
        self.base = nn.ParameterList([nn.Parameter(torch.empty(i + 1, o).uniform_(-i ** -0.5, i ** -0.5)) for i, o in shapes])

    def forward(self, x, features):
        b = x.shape[0]
        t = x.reshape(b, Q, P, Q, P, C).permute(0, 1, 3, 2, 4, 5).reshape(b, N, P * P * C)
        h = torch.cat([self.tokenizer(t) + self.pos, self.wtokens.unsqueeze(0).expand(b, -1, -1)], 1)
        u = self.head(self.encoder(h)[:, N:]).transpose(1, 2)  # [B, fan_in, R]
        y = features
        for k, (fi, fo) in enumerate(shapes):
            if k == M:
                y = torch.matmul(y, F.normalize(u @ self.v, dim=1)) + self.bias
            else:
                y = torch.matmul(y, F.normalize(self.base[k][:fi], dim=0)) + self.base[k][fi:]
            if k < len(shapes) - 1:
                y = F.relu(y)
        return y + 0.5


def encode_coords(coords):
    f = cfg["frequencies"]
    freqs = torch.tensor([math.pi * math.exp(math.log(cfg["sigma"]) * k / (f - 1)) for k in range(f)])
    a = coords[..., None] * freqs
    return torch.cat([a.cos(), a.sin()], -1).reshape(coords.shape[0], -1)


lin = torch.linspace(-1 + 1 / S, 1 - 1 / S, S)
coords = torch.stack(torch.meshgrid(lin, lin, indexing="ij"), -1).reshape(-1, 2)
model = IPC()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
model = maybe_compile(model)
B = cfg["batch"]
images = torch.rand(B, S, S, C)
targets = images.reshape(B, S * S, C)


def step():
    opt.zero_grad(set_to_none=True)
    loss = F.mse_loss(model(images, encode_coords(coords)), targets)
    loss.backward()
    opt.step()


med, mn = median_ms(step, runs=7)
report("ipc-" + mode, threads, med, mn)
