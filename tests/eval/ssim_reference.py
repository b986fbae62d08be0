"""Independent numpy reference for tests/eval/test_image_quality.cpp (SSIM and PSNR golden values).

Run with: /usr/bin/python3 tests/eval/ssim_reference.py
SSIM follows Wang et al. 2004 (ssim_index.m): 11x11 Gaussian window, sigma 1.5, 'valid' filtering,
K1 = 0.01, K2 = 0.03, L = 255, mean of the map. Written with 2-D windows (no separable filtering),
unlike the C++ implementation.
"""
import numpy as np


def test_images():
    h, w = 24, 20
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    reference = 128.0 + 100.0 * np.sin(0.3 * x + 0.2 * y + c)
    test = reference + 20.0 * np.cos(0.7 * x - 0.4 * y + 2.0 * c)
    return reference.astype(np.float32).astype(np.float64), test.astype(np.float32).astype(np.float64)


def luma(image):
    return 16.0 + (65.481 * image[..., 0] + 128.553 * image[..., 1] + 24.966 * image[..., 2]) / 255.0


def ssim_plane(a, b):
    g = np.exp(-((np.arange(11) - 5.0) ** 2) / (2 * 1.5**2))
    window = np.outer(g, g)
    window /= window.sum()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    rows, cols = a.shape[0] - 10, a.shape[1] - 10
    values = []
    for i in range(rows):
        for j in range(cols):
            pa, pb = a[i:i + 11, j:j + 11], b[i:i + 11, j:j + 11]
            mu_a, mu_b = (window * pa).sum(), (window * pb).sum()
            var_a = (window * (pa - mu_a) ** 2).sum()
            var_b = (window * (pb - mu_b) ** 2).sum()
            cov = (window * (pa - mu_a) * (pb - mu_b)).sum()
            values.append(((2 * mu_a * mu_b + c1) * (2 * cov + c2)) /
                          ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)))
    return float(np.mean(values))


def psnr(a, b):
    return 10 * np.log10(255.0**2 / np.mean((a - b) ** 2))


reference, test = test_images()
shave = 2
r, t = reference[shave:-shave, shave:-shave], test[shave:-shave, shave:-shave]
print("ssim luma  shave 2: %.12f" % ssim_plane(luma(r), luma(t)))
print("ssim rgb   shave 2: %.12f" % np.mean([ssim_plane(r[..., k], t[..., k]) for k in range(3)]))
print("psnr luma  shave 2: %.12f" % psnr(luma(r), luma(t)))
print("psnr rgb   shave 2: %.12f" % psnr(r, t))
