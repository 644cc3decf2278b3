"""Independent reference of HyperINR's SeededProjection (D'OH's seeded random projections).
Row r of layer l: xoshiro256** seeded by SplitMix64 from mix(seed, l, r) =
splitmix64(splitmix64(seed ^ 0x5851F42D4C957F2D + l) + r); entry = scale * (2 * (next >> 40) / 2^24 - 1).
Prints the values pinned in DOHTests.swift.  usage: python3 make_projection_vectors.py"""
M = (1 << 64) - 1


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def xoshiro(seed):
    x = seed
    s = []
    for _ in range(4):  # RandomGenerator(seed:) seeds its state with four SplitMix64 outputs
        x = (x + 0x9E3779B97F4A7C15) & M
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        s.append(z ^ (z >> 31))
    while True:
        r = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield r


def row(seed, layer, r, columns, scale):
    g = xoshiro(splitmix64((splitmix64((seed ^ 0x5851F42D4C957F2D) + layer & M) + r) & M))
    return [scale * (2 * ((next(g) >> 40) / 2 ** 24) - 1) for _ in range(columns)]


for r in (0, 977):
    print(f"seed 1234 layer 2 row {r}:", [float.hex(v) for v in row(1234, 2, r, 5, 1.0)], row(1234, 2, r, 5, 1.0))
