import TensorCore

/// Cars, trucks and buses standing on the road.
enum Vehicles {
    static func draw(_ kind: TrainId, _ c: inout Canvas, _ l: StreetLayout, depth t: Float, offset: Float,
                     using rng: inout SeededGenerator) {
        let scale = l.roadHalf * t
        let width = scale * (kind == .car ? 0.42 : 0.55), height = width * (kind == .car ? 0.55 : 0.9)
        let cx = l.column(offset, at: t), bottom = l.row(t)
        let body = rng.jitter(rng.pick([Color(0.7, 0.1, 0.1), Color(0.15, 0.2, 0.5), Color(0.85, 0.85, 0.85), Color(0.1, 0.1, 0.1),
                                         Color(0.5, 0.5, 0.55), Color(0.9, 0.75, 0.2)]), 0.05)
        let label = kind.rawValue
        c.rect(Int(cx - width / 2), Int(bottom - height * 0.6), Int(cx + width / 2), Int(bottom - height * 0.1), body, label: label, texture: 0.08)
        c.polygon([SIMD2(cx - width * 0.38, bottom - height * 0.6), SIMD2(cx + width * 0.38, bottom - height * 0.6),
                   SIMD2(cx + width * (kind == .car ? 0.28 : 0.45), bottom - height), SIMD2(cx - width * (kind == .car ? 0.28 : 0.45), bottom - height)],
                  body, label: label, texture: 0.08)
        c.rect(Int(cx - width * 0.3), Int(bottom - height * 0.93), Int(cx + width * 0.3), Int(bottom - height * 0.65),
               Color(0.2, 0.25, 0.3), label: label, texture: 0.1)
        for side: Float in [-0.32, 0.32] {
            c.ellipse(cx + side * width, bottom - height * 0.1, width * 0.1, height * 0.12, Color(0.05, 0.05, 0.05), label: label, texture: 0.05)
        }
    }
}

/// Persons, and riders on bicycles.
enum People {
    static func drawPerson(_ c: inout Canvas, _ l: StreetLayout, depth t: Float, offset: Float, label: UInt8,
                           using rng: inout SeededGenerator) {
        let tall = (l.height - l.horizon) * t * rng.uniform(0.45, 0.6)
        let cx = l.column(offset, at: t), feet = l.row(t)
        let shirt = rng.jitter(rng.pick([Color(0.8, 0.2, 0.2), Color(0.2, 0.3, 0.7), Color(0.9, 0.9, 0.85), Color(0.2, 0.2, 0.2), Color(0.3, 0.6, 0.3)]), 0.1)
        let trousers = rng.jitter(rng.pick([Color(0.15, 0.15, 0.3), Color(0.3, 0.25, 0.2), Color(0.1, 0.1, 0.1)]), 0.05)
        let skin = rng.jitter(Color(0.8, 0.62, 0.5), 0.15)
        c.rect(Int(cx - tall * 0.1), Int(feet - tall * 0.48), Int(cx - tall * 0.01), Int(feet), trousers, label: label)
        c.rect(Int(cx + tall * 0.01), Int(feet - tall * 0.48), Int(cx + tall * 0.1), Int(feet), trousers, label: label)
        c.rect(Int(cx - tall * 0.13), Int(feet - tall * 0.82), Int(cx + tall * 0.13), Int(feet - tall * 0.46), shirt, label: label)
        c.ellipse(cx, feet - tall * 0.9, tall * 0.07, tall * 0.09, skin, label: label, texture: 0.05)
    }

    static func drawCyclist(_ c: inout Canvas, _ l: StreetLayout, depth t: Float, offset: Float, using rng: inout SeededGenerator) {
        let size = (l.height - l.horizon) * t * 0.5
        let cx = l.column(offset, at: t), ground = l.row(t)
        let frame = rng.jitter(Color(0.2, 0.2, 0.25), 0.1)
        for dx: Float in [-0.3, 0.3] {
            c.ellipse(cx + dx * size, ground - size * 0.2, size * 0.2, size * 0.2, Color(0.05, 0.05, 0.05), label: TrainId.bicycle.rawValue, texture: 0.05)
            c.ellipse(cx + dx * size, ground - size * 0.2, size * 0.14, size * 0.14, Color(0.5, 0.5, 0.5), label: nil, texture: 0.3)
        }
        c.polygon([SIMD2(cx - size * 0.3, ground - size * 0.2), SIMD2(cx + size * 0.3, ground - size * 0.2), SIMD2(cx, ground - size * 0.5)],
                  frame, label: TrainId.bicycle.rawValue, texture: 0.1)
        drawPerson(&c, l, depth: t, offset: offset, label: TrainId.rider.rawValue, using: &rng)
    }
}

/// Poles with traffic lights or signs, and trees.
enum StreetFurniture {
    static func drawPole(_ c: inout Canvas, _ l: StreetLayout, depth t: Float, offset: Float, using rng: inout SeededGenerator) {
        let tall = (l.height - l.horizon) * t * rng.uniform(1.1, 1.6), x = l.column(offset, at: t), base = l.row(t)
        let thick = max(1, tall * 0.025)
        c.rect(Int(x - thick), Int(base - tall), Int(x + thick), Int(base), Color(0.45, 0.45, 0.45), label: TrainId.pole.rawValue, texture: 0.1)
        if rng.chance(0.5) {
            let box = tall * 0.1
            c.rect(Int(x - box * 0.4), Int(base - tall - box * 1.2), Int(x + box * 0.4), Int(base - tall + box * 0.1),
                   Color(0.12, 0.12, 0.1), label: TrainId.trafficLight.rawValue, texture: 0.05)
            let lit = rng.int(0...2)
            for k in 0..<3 {
                let color = k == lit ? [Color(0.9, 0.1, 0.1), Color(0.95, 0.7, 0.1), Color(0.1, 0.9, 0.3)][k] : Color(0.25, 0.25, 0.2)
                c.ellipse(x, base - tall - box * (1.0 - 0.35 * Float(k)), box * 0.15, box * 0.15, color, label: TrainId.trafficLight.rawValue, texture: 0)
            }
        } else {
            let r = tall * 0.08
            let color = rng.pick([Color(0.85, 0.1, 0.1), Color(0.1, 0.3, 0.8), Color(0.95, 0.85, 0.1)])
            c.ellipse(x, base - tall + r, r, r, color, label: TrainId.trafficSign.rawValue, texture: 0.05)
            c.ellipse(x, base - tall + r, r * 0.7, r * 0.7, Color(0.95, 0.95, 0.95), label: TrainId.trafficSign.rawValue, texture: 0.05)
        }
    }

    static func drawTree(_ c: inout Canvas, _ l: StreetLayout, depth t: Float, offset: Float, city: Bool, using rng: inout SeededGenerator) {
        let tall = (l.height - l.horizon) * t * rng.uniform(1.2, 2.0), x = l.column(offset, at: t), base = l.row(t)
        c.rect(Int(x - tall * 0.03), Int(base - tall * 0.6), Int(x + tall * 0.03), Int(base), Color(0.35, 0.25, 0.15),
               label: TrainId.vegetation.rawValue, texture: 0.2, scale: 2)
        let leaves = city ? rng.jitter(Color(0.25, 0.45, 0.15), 0.06) : rng.jitter(rng.pick([Color(0.7, 0.45, 0.1), Color(0.3, 0.45, 0.15)]), 0.06)
        for _ in 0..<4 {
            c.ellipse(x + rng.uniform(-0.15, 0.15) * tall, base - tall * rng.uniform(0.65, 0.85), tall * rng.uniform(0.15, 0.25),
                      tall * rng.uniform(0.15, 0.22), leaves, label: TrainId.vegetation.rawValue, texture: 0.45, scale: 2)
        }
    }
}
