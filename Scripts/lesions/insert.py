"""Synthetic lesions inserted into real OCT frames, and the retention, detectability and false-lesion
measures of Scripts/bench-lesions (docs: ../../docs/ARCHITECTURE.md, "Lesions").

Dark cysts: soft-edged ellipses that scale the local speckle by 0.3. Bright foci: raised to the local
90th percentile of the retina. IS/OS gaps: the IS/OS line dimmed to the layer above. Every lesion lies
strictly inside the retina (ILM+10 .. BM-10), none overlaps another (3-px guard), placement is seeded."""
import numpy as np
from scipy import ndimage as ndi

CYSTS = [(3, 5), (5, 9), (8, 14), (12, 24)]
FOCI = [(2, 3), (3, 4), (4, 6)]
GAPS = [10, 30]

def ellipse_mask(h, w):
    """Soft-edged ellipse of h x w pixels (1 inside, linear 1-px ramp at the edge), on a (h+4)x(w+4) grid."""
    H, W = h + 4, w + 4
    y, x = np.mgrid[0:H, 0:W].astype(float)
    cy, cx = (H - 1) / 2, (W - 1) / 2
    a, b = h / 2, w / 2
    r = np.sqrt(((y - cy) / a) ** 2 + ((x - cx) / b) ** 2)  # 1 on the boundary
    dist = (r - 1) * min(a, b)  # approx pixel distance outside the boundary
    return np.clip(0.5 - dist, 0, 1)

def insert(frame, ilm, isos, bm, rng, per_kind=2, valid=None):
    """Returns (with_lesions, lesions) where each lesion is dict(kind, size, y0, x0, mask (full-frame float), contrast)."""
    out = frame.copy()
    H, W = frame.shape
    occupied = np.zeros((H, W), bool)
    lesions = []
    retina = np.zeros((H, W), bool)
    rows = np.arange(H)[:, None]
    retina[(rows >= ilm[None, :] + 10) & (rows <= bm[None, :] - 10)] = True
    if valid is not None:
        retina &= valid
    def place(kind, size, mask_small, x_range=None):
        h, w = mask_small.shape
        for _ in range(400):
            x0 = int(rng.integers(0, W - w))
            if kind == "gap":
                xc = x0 + w // 2
                y0 = int(isos[xc]) - h // 2
            else:
                y0 = int(rng.integers(0, H - h))
            if y0 < 0 or y0 + h > H:
                continue
            core = mask_small > 0
            region = (slice(y0, y0 + h), slice(x0, x0 + w))
            if kind != "gap":
                if not retina[region][core].all():
                    continue
            else:
                cols = np.arange(x0, x0 + w)
                if (isos[cols] < ilm[cols] + 10).any() or (isos[cols] > bm[cols] - 3).any():
                    continue
                if valid is not None and not valid[region].all():
                    continue
            grown = ndi.binary_dilation(np.pad(core, 3), iterations=3)
            gy0, gx0 = y0 - 3, x0 - 3
            if gy0 < 0 or gx0 < 0 or gy0 + grown.shape[0] > H or gx0 + grown.shape[1] > W:
                continue
            if occupied[gy0:gy0 + grown.shape[0], gx0:gx0 + grown.shape[1]][grown].any():
                continue
            occupied[gy0:gy0 + grown.shape[0], gx0:gx0 + grown.shape[1]] |= grown
            return y0, x0
        return None
    def placements(kind, key, m, count):
        """Up to `count` seeded placements of mask `m`: its corner and its full-frame mask."""
        for _ in range(count):
            p = place(kind, key, m)
            if p is None:
                continue
            y0, x0 = p
            full = np.zeros((H, W))
            full[y0:y0 + m.shape[0], x0:x0 + m.shape[1]] = m
            yield y0, x0, full

    for (h, w) in CYSTS:
        m = ellipse_mask(h, w)
        for _, _, full in placements("cyst", (h, w), m, per_kind):
            before = out.copy()
            out = out * (1 - 0.7 * full)
            lesions.append({"kind": "cyst", "size": f"{h}x{w}", "mask": full, "delta": out - before})
    for (h, w) in FOCI:
        m = ellipse_mask(h, w)
        for y0, x0, full in placements("focus", (h, w), m, per_kind):
            cy, cx = y0 + m.shape[0] // 2, x0 + m.shape[1] // 2
            win = (slice(max(0, cy - 15), cy + 16), slice(max(0, cx - 15), cx + 16))
            p90 = np.percentile(frame[win][retina[win]], 90)
            before = out.copy()
            out = out * (1 - full) + full * np.maximum(out, p90)
            lesions.append({"kind": "focus", "size": f"{h}x{w}", "mask": full, "delta": out - before})
    for w in GAPS:
        h = 3
        for y0, x0, full in placements("gap", w, np.ones((h, w)), max(1, per_kind // 2)):
            before = out.copy()
            # dim the IS/OS line to the layer above (the outer nuclear layer, 6 rows up)
            out[y0:y0 + h, x0:x0 + w] = np.minimum(out[y0:y0 + h, x0:x0 + w], frame[y0 - 6:y0 - 6 + h, x0:x0 + w])
            lesions.append({"kind": "gap", "size": f"{w}px", "mask": full, "delta": out - before})
    return out, lesions

def retention(restored_with, restored_without, lesion):
    m = lesion["mask"] > 0.5
    inserted = lesion["delta"][m].mean()
    if abs(inserted) < 1e-9:
        return None
    return float((restored_with - restored_without)[m].mean() / inserted)

def detectability(restored_with, lesion, exclude):
    """Matched-template response at the lesion over its spread at other same-depth positions."""
    t = lesion["delta"]
    ys, xs = np.nonzero(np.abs(t) > 1e-9)
    if ys.size == 0:  # nothing inserted (a focus where the tissue is already that bright): as retention
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    tpl = t[y0:y1, x0:x1]
    tpl = tpl - tpl.mean()
    norm = np.sqrt((tpl ** 2).sum())
    if norm == 0:
        return None
    tpl = tpl / norm
    width = restored_with.shape[1]
    w = tpl.shape[1]
    def resp(x):
        patch = restored_with[y0:y1, x:x + w]
        return float((tpl * (patch - patch.mean())).sum())
    r0 = resp(x0)
    others = [resp(x) for x in range(0, width - w, max(2, w // 2)) if abs(x - x0) > w and not exclude[y0:y1, x:x + w].any()]
    if len(others) < 8:
        return None
    others = np.array(others)
    return float((r0 - others.mean()) / (others.std() + 1e-9))


# A false lesion must show at least half an inserted cyst's contrast (the speckle x 0.3, i.e. -0.7).
FALSE_CONTRAST = 0.35
# Below this ring mean (grey levels of 8-bit data; scaled for other depths) a relative contrast is noise:
# dark vitreous, shadowed columns.
FALSE_FLOOR = 16.0


def template_core(h, w):
    """The h x w ellipse's core (mask > 0.5), padded to odd sides with room for its ring, so that its runs
    and an erosion with it centre on the same pixel."""
    core = ellipse_mask(h, w) > 0.5
    H, W = core.shape
    return np.pad(core, ((3, 4 - H % 2), (3, 4 - W % 2)))


def template_runs(mask):
    """A mask whose rows are each one run of pixels, as (row, first column, last column) offsets from its
    centre pixel (shape // 2)."""
    cy, cx = mask.shape[0] // 2, mask.shape[1] // 2
    runs = []
    for y, row in enumerate(mask):
        xs = np.nonzero(row)[0]
        if len(xs):
            assert xs[-1] - xs[0] + 1 == len(xs), "one run per row"
            runs.append((y - cy, int(xs[0]) - cx, int(xs[-1]) - cx))
    return runs


def template(h, w):
    """The h x w lesion template of the false-lesion measure: the ellipse's core, and around it the ring
    2..4 px outside (the core dilated 4 times less the core dilated once, 4-connected), so that a soft
    edge counts in neither. Each as row runs (`template_runs`), with its pixel count."""
    core = template_core(h, w)
    inner = ndi.binary_dilation(core, iterations=1)
    outer = ndi.binary_dilation(core, iterations=4)
    return {"core": template_runs(core), "inner": template_runs(inner), "outer": template_runs(outer),
            "n_core": int(core.sum()), "n_ring": int(outer.sum() - inner.sum())}


def run_sums(image, runs):
    """Sum of `image` over the runs centred on every pixel (0 where they do not fit in the image). Row
    prefix sums, so integer-valued images sum exactly, as Swift's verify does (parity: FalseLesionsTests)."""
    H, W = image.shape
    top = -min(r[0] for r in runs)
    bottom = max(r[0] for r in runs)
    left = -min(r[1] for r in runs)
    right = max(r[2] for r in runs)
    out = np.zeros((H, W))
    ny, nx = H - top - bottom, W - left - right
    if ny <= 0 or nx <= 0:
        return out
    prefix = np.zeros((H, W + 1))
    prefix[:, 1:] = np.cumsum(image, axis=1)
    block = np.zeros((ny, nx))
    for dy, a, b in runs:
        rows = slice(top + dy, top + dy + ny)
        block += prefix[rows, left + b + 1:left + b + 1 + nx] - prefix[rows, left + a:left + a + nx]
    out[top:top + ny, left:left + nx] = block
    return out


def local_means(image, t):
    """The mean over template `t`'s core and over its ring (`template`), at every position."""
    outer, inner = run_sums(image, t["outer"]), run_sums(image, t["inner"])
    return run_sums(image, t["core"]) / t["n_core"], (outer - inner) / t["n_ring"]


class FalseLesions:
    """Lesions a pipeline adds to one frame. For each cyst and focus size (CYSTS, FOCI), the places in
    `region` where the restored frame shows a blob of that size at least FALSE_CONTRAST darker (cyst) or
    brighter (focus) than its ring, relative to the ring, that the original does not show: the restored
    contrast is past the threshold, it exceeds the original's by the threshold, and the blob itself moved
    that way by the threshold (so the bright rim around a false cyst is not also a false focus). A blur that
    softens what the original has adds none; a codec that turns speckle into dark spots does. Connected
    positions (8-connected) count once. Swift's verify counts the same (Sources/Imaging/FalseLesions.swift).

    `region`: where a lesion's whole core may lie (the retina); `valid`: pixels that are image, not
    scanner padding (the whole template must lie in them); `max_value`: the data range (FALSE_FLOOR is
    for 8 bits). The original's contrasts are computed once, here."""

    def __init__(self, original, region, valid=None, max_value=255):
        if valid is None:
            valid = np.ones(original.shape, bool)
        self.floor = FALSE_FLOOR * max_value / 255
        self.sizes = []
        for kind, sizes, sign in (("cyst", CYSTS, -1.0), ("focus", FOCI, 1.0)):
            for (h, w) in sizes:
                core = template_core(h, w)
                footprint = ndi.binary_dilation(core, iterations=4)
                inside = ndi.binary_erosion(region, structure=core, border_value=0) & \
                    ndi.binary_erosion(valid, structure=footprint, border_value=0)
                t = template(h, w)
                core_original, ring_original = local_means(original, t)
                c_original = (core_original - ring_original) / np.maximum(ring_original, self.floor)
                self.sizes.append((f"{kind} {h}x{w}", t, sign, inside, core_original, c_original, core))

    def maps(self, restored):
        """Per size, the positions counted as a false lesion (boolean map)."""
        out = {}
        for name, t, sign, inside, core_original, c_original, _ in self.sizes:
            core, ring = local_means(restored, t)
            scale = np.maximum(ring, self.floor)
            c_restored = (core - ring) / scale
            out[name] = inside & (ring >= self.floor) & (sign * c_restored >= FALSE_CONTRAST) & \
                (sign * (c_restored - c_original) >= FALSE_CONTRAST) & \
                (sign * (core - core_original) / scale >= FALSE_CONTRAST)
        return out

    def count(self, restored, within=None):
        """Per size, the number of false lesions (connected groups of positions). With `within` (a mask),
        only those whose whole core lies in it, as if `region & within` had been the region."""
        return self.counts(restored, [within])[0]

    def counts(self, restored, masks):
        """`count` for each of `masks` (None: the whole region), measuring the restored frame once."""
        maps = self.maps(restored)
        cores = {name: core for name, *_, core in self.sizes}
        out = []
        for within in masks:
            counts = {}
            for name, hit in maps.items():
                if within is not None:
                    hit = hit & ndi.binary_erosion(within, structure=cores[name], border_value=0)
                counts[name] = int(ndi.label(hit, structure=np.ones((3, 3)))[1])
            out.append(counts)
        return out
