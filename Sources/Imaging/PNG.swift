import CPNG
import Foundation

/// PNG reading and writing through libpng's simplified `png_image` API (libpng's setjmp error
/// handling cannot be used from Swift).
public enum PNG {
    /// A decoded grayscale PNG: pixel values as stored and the file's bit depth (8 or 16).
    public struct Gray: Sendable {
        public var image: Image<UInt16>
        public var bitDepth: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads a PNG as grayscale. 8-bit files come back with values 0...255, 16-bit files with
    /// 0...65535; colour files are converted to gray by libpng.
    public static func readGray(_ url: URL) throws -> Gray {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, url.path) != 0 else {
            throw Failure(path: url.path, reason: message(image))
        }
        defer { png_image_free(&image) }
        let sixteenBit = (image.format & UInt32(PNG_FORMAT_FLAG_LINEAR)) != 0
        image.format = sixteenBit ? UInt32(PNG_FORMAT_LINEAR_Y) : UInt32(PNG_FORMAT_GRAY)
        let width = Int(image.width)
        let height = Int(image.height)
        if sixteenBit {
            var buffer = [UInt16](repeating: 0, count: width * height)
            let ok = buffer.withUnsafeMutableBytes {
                png_image_finish_read(&image, nil, $0.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw Failure(path: url.path, reason: message(image)) }
            return Gray(image: Image(width: width, height: height, pixels: buffer), bitDepth: 16)
        }
        var buffer = [UInt8](repeating: 0, count: width * height)
        let ok = buffer.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, 0, nil)
        }
        guard ok != 0 else { throw Failure(path: url.path, reason: message(image)) }
        return Gray(image: Image(width: width, height: height, pixels: buffer.map(UInt16.init)), bitDepth: 8)
    }

    /// Reads an 8-bit grayscale PNG; a 16-bit file is an error.
    public static func read8(_ url: URL) throws -> Image<UInt8> {
        let gray = try readGray(url)
        guard gray.bitDepth == 8 else {
            throw Failure(path: url.path, reason: "expected an 8-bit PNG, found \(gray.bitDepth)-bit")
        }
        return gray.image.map { UInt8($0) }
    }

    /// Writes an 8-bit grayscale PNG atomically.
    public static func write(_ image: Image<UInt8>, to url: URL) throws {
        try write(url, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_GRAY), pixels: image.pixels)
    }

    /// Writes a 16-bit grayscale PNG atomically.
    public static func write(_ image: Image<UInt16>, to url: URL) throws {
        try write(
            url, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_LINEAR_Y), pixels: image.pixels)
    }

    /// Writes an 8-bit RGB PNG atomically.
    public static func write(_ image: Image<RGB>, to url: URL) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(image.pixels.count * 3)
        for pixel in image.pixels { bytes += [pixel.red, pixel.green, pixel.blue] }
        try write(url, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_RGB), pixels: bytes)
    }

    private static func write<T>(_ url: URL, width: Int, height: Int, format: UInt32, pixels: [T]) throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        var memorySize: png_alloc_size_t = 0
        // First call sizes the output, second fills it.
        let sized = pixels.withUnsafeBytes {
            png_image_write_to_memory(&image, nil, &memorySize, 0, $0.baseAddress, 0, nil)
        }
        guard sized != 0 else { throw Failure(path: url.path, reason: message(image)) }
        var data = Data(count: Int(memorySize))
        let written = data.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes {
                png_image_write_to_memory(&image, out.baseAddress, &memorySize, 0, $0.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw Failure(path: url.path, reason: message(image)) }
        data.count = Int(memorySize)
        try data.write(to: url, options: .atomic)
    }

    private static func message(_ image: png_image) -> String {
        var copy = image.message
        return withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
