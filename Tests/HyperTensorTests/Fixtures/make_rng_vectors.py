"""Independent reference for HyperTensor's RandomGenerator: SplitMix64 seeding + xoshiro256**
(https://prng.di.unimi.it/). Prints the values pinned in RandomGeneratorTests.swift.
usage: python3 make_rng_vectors.py"""
M = (1 << 64) - 1

def splitmix(seed):
    x = seed
    while True:
        x = (x + 0x9E3779B97F4A7C15) & M
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        yield z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def xoshiro(seed):
    g = splitmix(seed)
    s = [next(g) for _ in range(4)]
    while True:
        r = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield r

g = xoshiro(42)
print("seed 42, first 6 UInt64:", [next(g) for _ in range(6)])
g = xoshiro(2026)
print("seed 2026, first 4 floats (top 24 bits / 2^24):", [(next(g) >> 40) / 2**24 for _ in range(4)])
