// swift-tools-version:6.0
import PackageDescription

// pixelood-mpi: PixelOoD's verbs split over MPI ranks (Open MPI; Debian: libopenmpi-dev
// openmpi-bin, pkg-config ompi-c). A package of its own so that the README's two commands
// never need MPI. Build and run from the checkout's root:
//   swift build -c release --package-path MPI
//   mpirun -np 2 MPI/.build/release/pixelood-mpi eval RECIPE
// docs/scaling.md says what runs across ranks and how it is checked (scripts/mpi-check.sh).
let package = Package(
    name: "PixelOoDMPI",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "PixelOoD", path: ".."),
    ],
    targets: [
        // MPI's C API, with the handles Open MPI defines as macros (MPI_COMM_WORLD, MPI_BYTE) as functions.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // ProcessGroup over MPI_COMM_WORLD.
        .target(name: "PixelOoDMPI", dependencies: ["CMPI", .product(name: "PixelOoDKit", package: "PixelOoD")]),
        .executableTarget(name: "pixelood-mpi", dependencies: [
            "PixelOoDMPI",
            .product(name: "PixelOoDKit", package: "PixelOoD"),
            .product(name: "PixelOoDCommands", package: "PixelOoD"),
            .product(name: "PixelOoDPlugins", package: "PixelOoD"),
        ]),
    ]
)
