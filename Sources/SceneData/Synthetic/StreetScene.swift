import TensorCore

/// The perspective frame of one scene: horizon, vanishing point and the road's and
/// sidewalks' edges, from which every object gets its position and scale.
struct StreetLayout {
    let width: Float, height: Float
    /// Horizon row and vanishing-point column.
    let horizon: Float, vanishX: Float
    /// Half-widths at the bottom row of the road and of road + sidewalk (0 sidewalk: rural).
    let roadHalf: Float, sidewalkHalf: Float

    /// Row of depth `t` in (0, 1]: 0 at the horizon, 1 at the bottom.
    func row(_ t: Float) -> Float { horizon + t * (height - horizon) }
    /// Column of a point `offset` road-half-widths from the centre line at depth `t`.
    func column(_ offset: Float, at t: Float) -> Float { vanishX + offset * roadHalf * t }
}

/// Procedural driving scenes labelled with Cityscapes trainIds: a *city* context (road,
/// sidewalks, facades with windows, walls, fences, poles, lights, signs, trees, terrain,
/// sky, cars, trucks, buses, persons, riders, bicycles) and a *country* context (fields,
/// hills, forest, a rural road, few buildings, another palette and light), the paper's
/// context shift. Deterministic in the generator's state and the size.
public enum StreetScene {
    /// The two contexts.
    public enum Context: String, Sendable, CaseIterable { case city, country }

    /// Something drawn at a depth among the scene's objects: far ones first, so nearer
    /// objects hide it and the labels follow what is visible.
    typealias DepthObject = (depth: Float, draw: (inout Canvas, inout SeededGenerator) -> Void)

    /// Renders one scene with `extras` (e.g. anomalies, given the layout) drawn in depth order
    /// among its objects. Returns the image, its trainId labels and the layout.
    static func render(_ context: Context, width: Int, height: Int, using rng: inout SeededGenerator,
                       extras: (StreetLayout, inout SeededGenerator) -> [DepthObject] = { _, _ in [] })
        -> (canvas: Canvas, layout: StreetLayout) {
        let city = context == .city
        let light = city ? rng.jitter(Color(repeating: 1), 0.12) : rng.jitter(Color(1.05, 0.95, 0.8), 0.15)
        var canvas = Canvas(width: width, height: height, light: light, noise: ValueNoise(seed: rng.next()))
        let w = Float(width), h = Float(height)
        let layout = StreetLayout(width: w, height: h, horizon: h * rng.uniform(0.36, 0.46), vanishX: w * rng.uniform(0.42, 0.58),
                                  roadHalf: w * (city ? rng.uniform(0.45, 0.7) : rng.uniform(0.25, 0.4)),
                                  sidewalkHalf: city ? rng.uniform(1.3, 1.6) : 0)
        drawSky(&canvas, layout, city: city, using: &rng)
        if city { drawFacades(&canvas, layout, using: &rng) } else { drawCountryside(&canvas, layout, using: &rng) }
        drawGround(&canvas, layout, city: city, using: &rng)
        var objects: [DepthObject] = []
        for _ in 0..<(city ? rng.int(3...7) : rng.int(0...2)) {
            let t = rng.uniform(0.12, 1.0), lane = rng.uniform(-0.75, 0.75)
            let kind = rng.pick(city ? [TrainId.car, .car, .car, .truck, .bus] : [.car, .truck])
            objects.append((t, { c, r in Vehicles.draw(kind, &c, layout, depth: t, offset: lane, using: &r) }))
        }
        for _ in 0..<(city ? rng.int(2...7) : rng.int(0...1)) {
            let t = rng.uniform(0.15, 1.0)
            let side: Float = rng.chance(0.5) ? -1 : 1
            let offset = side * (city ? rng.uniform(1.05, layout.sidewalkHalf) : rng.uniform(1.05, 1.4))
            if rng.chance(0.25) {
                objects.append((t, { c, r in People.drawCyclist(&c, layout, depth: t, offset: offset * 0.9, using: &r) }))
            } else {
                objects.append((t, { c, r in People.drawPerson(&c, layout, depth: t, offset: offset, label: TrainId.person.rawValue, using: &r) }))
            }
        }
        for _ in 0..<(city ? rng.int(3...6) : rng.int(1...3)) {
            let t = rng.uniform(0.1, 0.9)
            let side: Float = rng.chance(0.5) ? -1 : 1
            let offset = side * (city ? layout.sidewalkHalf * 0.98 : rng.uniform(1.1, 1.6))
            if rng.chance(city ? 0.5 : 0.2) {
                objects.append((t, { c, r in StreetFurniture.drawPole(&c, layout, depth: t, offset: offset, using: &r) }))
            } else {
                objects.append((t, { c, r in StreetFurniture.drawTree(&c, layout, depth: t, offset: offset * 1.05, city: city, using: &r) }))
            }
        }
        objects += extras(layout, &rng)
        for object in objects.sorted(by: { $0.depth < $1.depth }) { object.draw(&canvas, &rng) }
        return (canvas, layout)
    }

    /// A scene as image and trainId labels.
    public static func generate(_ context: Context, width: Int, height: Int, using rng: inout SeededGenerator)
        -> (image: RGBImage, labels: LabelMap) {
        let (canvas, _) = render(context, width: width, height: height, using: &rng)
        return (canvas.image, canvas.labels)
    }

    private static func drawSky(_ c: inout Canvas, _ l: StreetLayout, city: Bool, using rng: inout SeededGenerator) {
        let top = city ? rng.jitter(Color(0.35, 0.55, 0.85), 0.1) : rng.jitter(rng.pick([Color(0.55, 0.5, 0.7), Color(0.85, 0.6, 0.45), Color(0.6, 0.65, 0.7)]), 0.08)
        let bottom = simd_clamp01(top + Color(0.3, 0.25, 0.1))
        for y in 0..<Int(l.horizon + 2) {
            let f = Float(y) / max(1, l.horizon)
            for x in 0..<c.width { c.paint(x, y, top + (bottom - top) * f, label: TrainId.sky.rawValue, texture: 0.25, scale: 40) }
        }
    }

    private static func drawFacades(_ c: inout Canvas, _ l: StreetLayout, using rng: inout SeededGenerator) {
        for side: Float in [-1, 1] {
            var t: Float = 0.02
            while t < 1.6 {
                let span = rng.uniform(0.08, 0.35), far = t, near = min(t + span, 1.8)
                let edge = l.sidewalkHalf
                let storeys = rng.uniform(0.6, 2.2)
                let xFar = l.column(side * edge, at: far), xNear = l.column(side * edge, at: near)
                let yFar = l.row(far), yNear = l.row(near)
                let topFar = l.horizon - storeys * (yFar - l.horizon) * 1.4, topNear = l.horizon - storeys * (yNear - l.horizon) * 1.4
                let isWall = rng.chance(0.12)
                let base = isWall ? rng.jitter(Color(0.55, 0.52, 0.5), 0.1)
                    : rng.jitter(rng.pick([Color(0.6, 0.55, 0.5), Color(0.75, 0.7, 0.6), Color(0.5, 0.4, 0.35), Color(0.45, 0.45, 0.5)]), 0.08)
                let label = isWall ? TrainId.wall.rawValue : TrainId.building.rawValue
                let outer: Float = side < 0 ? -1 : 1
                let quad = [SIMD2(xFar, yFar), SIMD2(xNear, yNear), SIMD2(xNear + outer * l.width, yNear), SIMD2(xNear + outer * l.width, isWall ? yNear - (yNear - l.horizon) * 0.5 : topNear),
                            SIMD2(xNear, isWall ? yNear - (yNear - l.horizon) * 0.5 : topNear), SIMD2(xFar, isWall ? yFar - (yFar - l.horizon) * 0.5 : topFar)]
                let windowRows = Float(rng.int(3...8)), windowColumns = Float(rng.int(2...6))
                let windowColor: Float = rng.uniform(0.35, 0.6)
                c.polygon(quad, base, label: label, texture: 0.2, scale: 5) { x, y in
                    guard !isWall else { return 1 }
                    let u = (Float(x) - xFar) / max(1, xNear - xFar), v = (l.row(far + u * (near - far)) - Float(y)) / max(1, (l.row(far + u * (near - far)) - l.horizon) * storeys * 1.4 + 1)
                    let inWindow = (u * windowColumns).truncatingRemainder(dividingBy: 1) > 0.3 && (v * windowRows).truncatingRemainder(dividingBy: 1) > 0.35
                    return inWindow && u >= 0 && u <= 1 ? windowColor : 1
                }
                t = near
            }
        }
    }

    private static func drawCountryside(_ c: inout Canvas, _ l: StreetLayout, using rng: inout SeededGenerator) {
        // Hills (terrain) and a forest line (vegetation) on the horizon, fields below.
        let hill = rng.jitter(rng.pick([Color(0.55, 0.6, 0.35), Color(0.65, 0.55, 0.35)]), 0.06)
        var points = [SIMD2<Float>(0, l.horizon + 2)]
        var x: Float = 0
        while x <= l.width { points.append(SIMD2(x, l.horizon - rng.uniform(0.02, 0.12) * l.height)); x += l.width / 8 }
        points.append(SIMD2(l.width, l.horizon + 2))
        c.polygon(points, hill, label: TrainId.terrain.rawValue, texture: 0.25, scale: 12)
        let forest = rng.jitter(rng.pick([Color(0.2, 0.35, 0.15), Color(0.55, 0.4, 0.15)]), 0.05)
        var fx: Float = 0
        while fx < l.width {
            let r = rng.uniform(0.01, 0.035) * l.width
            c.ellipse(fx, l.horizon - r * 0.3, r, r * 1.2, forest, label: TrainId.vegetation.rawValue, texture: 0.35, scale: 3)
            fx += r * rng.uniform(0.8, 1.6)
        }
        if rng.chance(0.5) {  // a farmhouse
            let t = rng.uniform(0.05, 0.2), side: Float = rng.chance(0.5) ? -1 : 1
            let cx = l.column(side * rng.uniform(1.8, 3), at: t), size = (l.row(t) - l.horizon) * 2 + 6
            c.rect(Int(cx - size), Int(l.row(t) - size), Int(cx + size), Int(l.row(t)), rng.jitter(Color(0.75, 0.7, 0.6), 0.1), label: TrainId.building.rawValue)
            c.polygon([SIMD2(cx - size * 1.1, l.row(t) - size), SIMD2(cx + size * 1.1, l.row(t) - size), SIMD2(cx, l.row(t) - size * 1.7)],
                      Color(0.5, 0.25, 0.2), label: TrainId.building.rawValue)
        }
    }

    private static func drawGround(_ c: inout Canvas, _ l: StreetLayout, city: Bool, using rng: inout SeededGenerator) {
        let groundColor = city ? rng.jitter(Color(0.45, 0.5, 0.3), 0.05) : rng.jitter(rng.pick([Color(0.7, 0.62, 0.35), Color(0.45, 0.55, 0.25)]), 0.05)
        c.polygon([SIMD2(0, l.horizon), SIMD2(l.width, l.horizon), SIMD2(l.width, l.height), SIMD2(0, l.height)], groundColor,
                  label: TrainId.terrain.rawValue, texture: 0.3, scale: 4) { x, y in
            city ? 1 : 0.9 + 0.2 * Float((Int(Float(y) / (1 + 0.08 * (Float(y) - l.horizon))) % 2))
        }
        if city {
            let sidewalk = rng.jitter(Color(0.62, 0.6, 0.58), 0.05)
            for side: Float in [-1, 1] {
                c.polygon([SIMD2(l.vanishX, l.horizon), SIMD2(l.column(side * l.sidewalkHalf, at: 1.3), l.row(1.3)),
                           SIMD2(l.column(side, at: 1.3), l.row(1.3))], sidewalk, label: TrainId.sidewalk.rawValue, texture: 0.15, scale: 3)
            }
        }
        let road = city ? rng.jitter(Color(0.38, 0.37, 0.4), 0.04) : rng.jitter(rng.pick([Color(0.5, 0.45, 0.38), Color(0.42, 0.4, 0.36)]), 0.04)
        c.polygon([SIMD2(l.vanishX, l.horizon), SIMD2(l.column(-1, at: 1.3), l.row(1.3)), SIMD2(l.column(1, at: 1.3), l.row(1.3))],
                  road, label: TrainId.road.rawValue, texture: city ? 0.12 : 0.3, scale: city ? 2 : 5)
        // Lane markings (road pixels, as in Cityscapes).
        let dashes = rng.int(5...9)
        for k in 0..<dashes {
            let t0 = Float(k) / Float(dashes) * 1.1 + 0.03, t1 = t0 + 0.5 / Float(dashes)
            let half: Float = 0.015
            c.polygon([SIMD2(l.column(-half, at: t0), l.row(t0)), SIMD2(l.column(half, at: t0), l.row(t0)),
                       SIMD2(l.column(half, at: t1), l.row(t1)), SIMD2(l.column(-half, at: t1), l.row(t1))],
                      Color(0.9, 0.9, 0.85), label: TrainId.road.rawValue, texture: 0.05)
        }
        if city && rng.chance(0.5) {  // a fence or low wall along one sidewalk's outer edge
            let side: Float = rng.chance(0.5) ? -1 : 1, t0 = rng.uniform(0.1, 0.4), t1 = min(1.2, t0 + rng.uniform(0.2, 0.6))
            let isFence = rng.chance(0.6)
            let x0 = l.column(side * l.sidewalkHalf, at: t0), x1 = l.column(side * l.sidewalkHalf, at: t1)
            let h0 = (l.row(t0) - l.horizon) * 0.25, h1 = (l.row(t1) - l.horizon) * 0.25
            c.polygon([SIMD2(x0, l.row(t0)), SIMD2(x1, l.row(t1)), SIMD2(x1, l.row(t1) - h1), SIMD2(x0, l.row(t0) - h0)],
                      isFence ? Color(0.55, 0.5, 0.45) : Color(0.6, 0.58, 0.55), label: isFence ? TrainId.fence.rawValue : TrainId.wall.rawValue,
                      texture: 0.2) { x, _ in isFence && (x / 3) % 2 == 0 ? 0.6 : 1 }
        }
    }
}
