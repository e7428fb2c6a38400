import zlib, struct, numpy as np
def read_png(path):
    data = open(path,'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    pos = 8; idat = b''; w=h=bd=ct=None
    while pos < len(data):
        n, = struct.unpack('>I', data[pos:pos+4]); t = data[pos+4:pos+8]; body = data[pos+8:pos+8+n]; pos += 12+n
        if t == b'IHDR': w,h,bd,ct,_,_,il = struct.unpack('>IIBBBBB', body); assert il == 0
        elif t == b'IDAT': idat += body
        elif t == b'IEND': break
    assert ct == 0, 'grayscale only'
    bpp = 2 if bd == 16 else 1
    raw = zlib.decompress(idat); stride = w*bpp
    out = np.zeros((h, stride), np.uint8); prev = np.zeros(stride, np.int32)
    i = 0
    for y in range(h):
        f = raw[i]; line = np.frombuffer(raw[i+1:i+1+stride], np.uint8).astype(np.int32); i += 1+stride
        if f == 0: cur = line
        elif f == 2: cur = (line + prev) & 255
        else:
            cur = np.zeros(stride, np.int32)
            for x in range(stride):
                a = cur[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
                if f == 1: p = a
                elif f == 3: p = (a+b)//2
                else:
                    pa, pb, pc = abs(b-c), abs(a-c), abs(a+b-2*c)
                    p = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                cur[x] = (line[x] + p) & 255
        out[y] = cur; prev = cur
    if bd == 16: return out.view('>u2').reshape(h, w).astype(np.uint16), 16
    return out.reshape(h, w), 8
