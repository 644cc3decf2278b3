"""A tiny randomly initialised ViT (transformers.ViTModel, seed 0) and its last hidden states for fixed
pixels, for tests/HyperNNTests/ViTEncoderTests.swift: the key table (q, k, v packed into one projection),
the patch embedding and the pre-LN blocks checked against transformers.

usage: python3 -m venv /tmp/st && /tmp/st/bin/pip install transformers torch
       /tmp/st/bin/python Tests/HyperNNTests/Fixtures/make_tiny_vit.py
Writes tiny_vit/config.json, tiny_vit/model.safetensors (as save_pretrained writes them) and
tiny_vit_reference.json (pixels [2, 3, 8, 8] channel-first, hidden states [2, 5, 32]; and an image of
12 x 16, a 3 x 4 patch grid, with the position embeddings interpolated bicubically: [1, 13, 32])."""
import json
import os

import torch
from transformers import ViTConfig, ViTModel

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
config = ViTConfig(image_size=8, patch_size=4, num_channels=3, hidden_size=32, num_hidden_layers=2,
                   num_attention_heads=4, intermediate_size=128)
model = ViTModel(config).eval()
with torch.no_grad():  # larger than the default init, so that every block and the class token matter
    for p in model.parameters():
        p.normal_(0, 0.2)
model.save_pretrained(os.path.join(here, "tiny_vit"), safe_serialization=True)
pixels = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(1))
larger = torch.rand(1, 3, 12, 16, generator=torch.Generator().manual_seed(2))
with torch.no_grad():
    hidden = model(pixel_values=pixels).last_hidden_state
    resized = model(pixel_values=larger, interpolate_pos_encoding=True).last_hidden_state
with open(os.path.join(here, "tiny_vit_reference.json"), "w") as f:
    json.dump({"pixels": [float(v) for v in pixels.flatten()], "hidden": [float(v) for v in hidden.flatten()],
               "largerPixels": [float(v) for v in larger.flatten()], "largerHidden": [float(v) for v in resized.flatten()]}, f)
print("wrote tiny_vit/ and tiny_vit_reference.json", list(hidden.shape))
