import Foundation
import Testing

/// The shape the code keeps, measured from the files by
/// `Tests/CodeShape/code-figures.py`: no function over 80 lines, no downcast
/// of a concrete destination in the engine, at most 25 `public`
/// declarations in the library, `NACHET_` variables named in at most two
/// files, README.md at most 300 lines. A change past one of them fails here,
/// naming it.
@Suite("code shape")
struct CodeShapeTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CodeShape/code-figures.py").path

    @Test func everyFigureIsWithinItsGoal() async throws {
        let figures = try await CommandLineTests().run([:], executable: "/usr/bin/python3", arguments: [Self.script, "--check"])
        #expect(figures.status == 0, "\(figures.errors)\(figures.output)")
        #expect(figures.output.contains("functions over 80 lines: 0"), "\(figures.output)")
    }
}
