"""A tiny randomly initialised BERT (transformers.BertModel, seed 0) and its last hidden states for fixed
token ids, for Tests/HyperNNTests/BERTEncoderTests.swift: the key table, post-LN blocks and exact GELU checked
without the 90 MB MiniLM.

usage: python3 -m venv /tmp/st && /tmp/st/bin/pip install transformers torch
       /tmp/st/bin/python Tests/HyperNNTests/Fixtures/make_tiny_bert.py
Writes tiny_bert/config.json, tiny_bert/model.safetensors (as save_pretrained writes them) and
tiny_bert_reference.json."""
import json
import os

import torch
from transformers import BertConfig, BertModel

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=64, max_position_embeddings=16, type_vocab_size=2)
model = BertModel(config).eval()
with torch.no_grad():  # larger than the default 0.02 init, so that every block changes the states
    for p in model.parameters():
        p.normal_(0, 0.2)
model.save_pretrained(os.path.join(here, "tiny_bert"), safe_serialization=True)
ids = [[2, 17, 45, 99, 3, 0, 8], [5, 6, 7, 8, 9, 10, 11]]
with torch.no_grad():
    hidden = model(input_ids=torch.tensor(ids)).last_hidden_state
with open(os.path.join(here, "tiny_bert_reference.json"), "w") as f:
    json.dump({"ids": ids, "hidden": [[[float(v) for v in tok] for tok in seq] for seq in hidden]}, f)
print("wrote tiny_bert/ and tiny_bert_reference.json")
