/// Retinal layer boundaries of one frame: one row per column (0-based, top = 0).
public struct LayerBoundaries: Sendable, Equatable {
    /// Inner limiting membrane: the first row of retina below the vitreous.
    public var ilm: [Int]
    /// Inner/outer photoreceptor segment junction (found on the way to BM).
    public var isos: [Int]
    /// Bruch's membrane (outer boundary of the RPE): the last row of the RPE.
    public var bm: [Int]
    /// Whether the frame shows a retina; when false the rows above are meaningless.
    public var retinaFound: Bool

    public init(ilm: [Int], isos: [Int], bm: [Int], retinaFound: Bool) {
        self.ilm = ilm
        self.isos = isos
        self.bm = bm
        self.retinaFound = retinaFound
    }
}
