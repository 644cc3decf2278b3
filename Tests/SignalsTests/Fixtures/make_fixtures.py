"""Generates the Signals test fixtures.
usage: python3 make_fixtures.py   (needs numpy, pypng, pillow, scikit-image, safetensors)

- png/*.png: tiny PNGs of every colour type and bit depth, written by pypng (an independent encoder) from
  known sample values; png_expected.json holds those values (alpha from tRNS included) scaled to [0, 1].
- jpeg/*.jpg: a 64x48 crop of kodim23 as baseline and progressive JPEG (Pillow), and Pillow's decoding
  of each (libjpeg-turbo) in jpeg_expected.json.
- photos_expected.json: Pillow's decoding statistics (shape, sample sum, 16 probe pixels) of real files in
  ../shared/data, which the tests compare when that folder is present.
- wav/*.wav: PCM 8/16/24/32-bit and float 32-bit, stereo, written with Python's wave module / struct from
  known samples (wav_expected.json, values in [-1, 1] as HyperINR scales them).
- metrics.safetensors: image pairs with PSNR and SSIM from scikit-image (in the metadata).
"""
import json
import struct
import wave
import os
import numpy as np
import png
from PIL import Image
from safetensors.numpy import save_file
from skimage.metrics import structural_similarity, peak_signal_noise_ratio

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "../../../../shared/data")
os.makedirs(os.path.join(here, "png"), exist_ok=True)
os.makedirs(os.path.join(here, "jpeg"), exist_ok=True)
rng = np.random.default_rng(0)
W, H = 7, 5
expected = {}


def write_png(name, rows, **kw):
    with open(os.path.join(here, "png", name), "wb") as f:
        png.Writer(W, H, **kw).write(f, rows)


for bits in (1, 2, 4, 8, 16):
    v = rng.integers(0, 2 ** bits, size=(H, W))
    write_png(f"gray{bits}.png", v.tolist(), greyscale=True, bitdepth=bits)
    expected[f"gray{bits}.png"] = {"channels": 1, "values": (v / (2 ** bits - 1)).ravel().tolist()}
for bits in (8, 16):
    for name, ch, kw in (("graya", 2, dict(greyscale=True, alpha=True)), ("rgb", 3, dict(greyscale=False)),
                         ("rgba", 4, dict(greyscale=False, alpha=True))):
        v = rng.integers(0, 2 ** bits, size=(H, W * ch))
        write_png(f"{name}{bits}.png", v.tolist(), bitdepth=bits, **kw)
        expected[f"{name}{bits}.png"] = {"channels": ch, "values": (v / (2 ** bits - 1)).ravel().tolist()}
    v = rng.integers(0, 2 ** bits, size=(H, W * 3))
    write_png(f"rgb{bits}_interlaced.png", v.tolist(), bitdepth=bits, greyscale=False, interlace=True)
    expected[f"rgb{bits}_interlaced.png"] = {"channels": 3, "values": (v / (2 ** bits - 1)).ravel().tolist()}
for bits in (1, 2, 4, 8):
    n = 2 ** bits
    pal = [tuple(int(x) for x in rng.integers(0, 256, 3)) for _ in range(n)]
    idx = rng.integers(0, n, size=(H, W))
    write_png(f"palette{bits}.png", idx.tolist(), palette=pal, bitdepth=bits)
    expected[f"palette{bits}.png"] = {"channels": 3, "values": (np.array(pal)[idx] / 255).ravel().tolist()}
pal = [tuple(int(x) for x in rng.integers(0, 256, 3)) + (int(a),) for a in (0, 128, 255, 40)]
idx = rng.integers(0, 4, size=(H, W))
write_png("palette_trns.png", idx.tolist(), palette=pal, bitdepth=8)
expected["palette_trns.png"] = {"channels": 4, "values": (np.array(pal)[idx] / 255).ravel().tolist()}
v = rng.integers(0, 256, size=(H, W * 3))
v[0, 0:3] = (10, 20, 30)
write_png("rgb8_trns.png", v.tolist(), greyscale=False, bitdepth=8, transparent=(10, 20, 30))
alpha = np.full((H, W, 1), 255)
rgbv = v.reshape(H, W, 3)
alpha[np.all(rgbv == (10, 20, 30), axis=2)] = 0
expected["rgb8_trns.png"] = {"channels": 4, "values": (np.concatenate([rgbv, alpha], 2) / 255).ravel().tolist()}
json.dump(expected, open(os.path.join(here, "png_expected.json"), "w"))

crop = Image.open(os.path.join(data, "kodak/kodim23.png")).convert("RGB").crop((300, 200, 364, 248))
jexp = {}
for name, kw in (("baseline.jpg", {}), ("progressive.jpg", {"progressive": True})):
    path = os.path.join(here, "jpeg", name)
    crop.save(path, quality=90, **kw)
    jexp[name] = np.asarray(Image.open(path).convert("RGB")).ravel().tolist()
crop.convert("L").save(os.path.join(here, "jpeg", "gray.jpg"), quality=90)
jexp["gray.jpg"] = np.asarray(Image.open(os.path.join(here, "jpeg", "gray.jpg"))).ravel().tolist()
json.dump(jexp, open(os.path.join(here, "jpeg_expected.json"), "w"))

photos = {}
files = ["photos/misc_4.1.01.png", "photos/misc_5.1.09.png", "photos/misc_ruler.512.png",
         "photos/textures_texmos2.s512.png", "kodak/kodim23.png", "kodak/kodim04.png",
         "emoji/train/glyph01467.png", "emoji/test/" + sorted(os.listdir(os.path.join(data, "emoji/test")))[0]]
for rel in files:
    im = Image.open(os.path.join(data, rel))
    mode = {"1": "L", "L": "L", "RGB": "RGB", "RGBA": "RGBA"}.get(im.mode)
    if im.mode == "P":
        mode = "RGBA" if "transparency" in im.info else "RGB"
    a = np.asarray(im.convert(mode), dtype=np.int64)
    if a.ndim == 2:
        a = a[:, :, None]
    h, w, c = a.shape
    probes = [(int(y), int(x)) for y, x in zip(np.linspace(0, h - 1, 16).astype(int), np.linspace(w - 1, 0, 16).astype(int))]
    photos[rel] = {"shape": [h, w, c], "sum": int(a.sum()), "probes": [[y, x, a[y, x].tolist()] for y, x in probes]}
json.dump(photos, open(os.path.join(here, "photos_expected.json"), "w"), indent=1)

os.makedirs(os.path.join(here, "wav"), exist_ok=True)
wexp = {}
frames = 9
for bits in (8, 16, 24, 32):
    lo, hi = (0, 255) if bits == 8 else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    v = rng.integers(lo, hi + 1, size=(frames, 2))
    if bits == 8:
        raw = bytes(int(x) for x in v.ravel())
        scaled = (v - 128) / 128
    else:
        raw = b"".join(int(x).to_bytes(bits // 8, "little", signed=True) for x in v.ravel())
        scaled = v / 2 ** (bits - 1)
    with wave.open(os.path.join(here, "wav", f"pcm{bits}.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(bits // 8)
        w.setframerate(8000)
        w.writeframes(raw)
    wexp[f"pcm{bits}.wav"] = scaled.ravel().tolist()
fv = rng.uniform(-1, 1, size=(frames, 2)).astype(np.float32)
body = fv.tobytes()
fmt = struct.pack("<HHIIHH", 3, 2, 8000, 8000 * 8, 8, 32)
riff = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(body)) + body
open(os.path.join(here, "wav", "float32.wav"), "wb").write(b"RIFF" + struct.pack("<I", len(riff)) + riff)
wexp["float32.wav"] = fv.astype(np.float64).ravel().tolist()
json.dump(wexp, open(os.path.join(here, "wav_expected.json"), "w"))

a = rng.random((24, 30, 3)).astype(np.float32)
smooth = np.clip(a * 0.6 + 0.2 + 0.1 * np.sin(np.arange(30) / 4.0)[None, :, None], 0, 1).astype(np.float32)
b = np.clip(smooth + rng.normal(0, 0.05, smooth.shape), 0, 1).astype(np.float32)
g1, g2 = a[:, :, :1].copy(), b[:, :, :1].copy()
meta = {
    "psnr_ab": repr(float(peak_signal_noise_ratio(a, b, data_range=1))),
    "ssim_ab": repr(float(structural_similarity(a, b, data_range=1, channel_axis=2, gaussian_weights=True, sigma=1.5,
                                          use_sample_covariance=False))),
    "ssim_smooth_b": repr(float(structural_similarity(smooth, b, data_range=1, channel_axis=2, gaussian_weights=True,
                                                sigma=1.5, use_sample_covariance=False))),
    "ssim_gray": repr(float(structural_similarity(g1[:, :, 0], g2[:, :, 0], data_range=1, gaussian_weights=True, sigma=1.5,
                                            use_sample_covariance=False))),
    "psnr_smooth_b": repr(float(peak_signal_noise_ratio(smooth, b, data_range=1))),
}
save_file({"a": a, "b": b, "smooth": smooth, "g1": g1, "g2": g2}, os.path.join(here, "metrics.safetensors"), metadata=meta)
print("fixtures written")
