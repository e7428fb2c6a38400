import Foundation

/// The SSIM statistics of one scale: mean SSIM and mean contrast-structure term over the valid
/// window positions (see `Metrics` for the convention).
struct SSIMScale {
    var ssim: Double
    var contrastStructure: Double

    static let window = GaussianKernel.weights(sigma: 1.5, radius: 5)

    init(_ x: [Float], _ y: [Float], width: Int, height: Int, excluded: [Bool]?, dataRange: Float) throws {
        let c1 = (0.01 * dataRange) * (0.01 * dataRange)
        let c2 = (0.03 * dataRange) * (0.03 * dataRange)
        var xx = [Float](repeating: 0, count: x.count)
        var yy = xx
        var xy = xx
        for i in 0..<x.count {
            xx[i] = x[i] * x[i]
            yy[i] = y[i] * y[i]
            xy[i] = x[i] * y[i]
        }
        let kernel = Self.window
        let muX = validFiltered(x, width: width, height: height, kernel: kernel)
        let muY = validFiltered(y, width: width, height: height, kernel: kernel)
        let meanXX = validFiltered(xx, width: width, height: height, kernel: kernel)
        let meanYY = validFiltered(yy, width: width, height: height, kernel: kernel)
        let meanXY = validFiltered(xy, width: width, height: height, kernel: kernel)
        let valid: [Float]? = excluded.map { mask in
            let indicator = mask.map { $0 ? Float(1) : 0 }
            return validFiltered(
                indicator, width: width, height: height, kernel: [Float](repeating: 1, count: kernel.count))
        }
        let outWidth = width - kernel.count + 1
        let outHeight = height - kernel.count + 1
        var ssimSum = 0.0
        var csSum = 0.0
        var count = 0
        for row in 0..<outHeight {
            var rowSSIM: Float = 0
            var rowCS: Float = 0
            for i in (row * outWidth)..<((row + 1) * outWidth) {
                if let valid, valid[i] > 0.5 { continue }
                let mx = muX[i]
                let my = muY[i]
                let sxx = meanXX[i] - mx * mx
                let syy = meanYY[i] - my * my
                let sxy = meanXY[i] - mx * my
                let cs = (2 * sxy + c2) / (sxx + syy + c2)
                rowCS += cs
                rowSSIM += (2 * mx * my + c1) / (mx * mx + my * my + c1) * cs
                count += 1
            }
            ssimSum += Double(rowSSIM)
            csSum += Double(rowCS)
        }
        guard count > 0 else {
            throw Metrics.Failure(
                description: "SSIM: no 11x11 window free of excluded pixels in a \(height)x\(width) image")
        }
        ssim = ssimSum / Double(count)
        contrastStructure = csSum / Double(count)
    }
}

/// Correlation with the separable kernel `kernel` ⊗ `kernel` in 'valid' mode: the output is
/// (width − n + 1) x (height − n + 1).
func validFiltered(_ data: [Float], width: Int, height: Int, kernel: [Float]) -> [Float] {
    let n = kernel.count
    let outWidth = width - n + 1
    let outHeight = height - n + 1
    var vertical = [Float](repeating: 0, count: width * outHeight)
    data.withUnsafeBufferPointer { source in
        vertical.withUnsafeMutableBufferPointer { out in
            for y in 0..<outHeight {
                let row = out.baseAddress! + y * width
                for k in 0..<n {
                    let weight = kernel[k]
                    let input = source.baseAddress! + (y + k) * width
                    for x in 0..<width { row[x] += weight * input[x] }
                }
            }
        }
    }
    var result = [Float](repeating: 0, count: outWidth * outHeight)
    vertical.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { out in
            for y in 0..<outHeight {
                let row = out.baseAddress! + y * outWidth
                let input = source.baseAddress! + y * width
                for k in 0..<n {
                    let weight = kernel[k]
                    let shifted = input + k
                    for x in 0..<outWidth { row[x] += weight * shifted[x] }
                }
            }
        }
    }
    return result
}
