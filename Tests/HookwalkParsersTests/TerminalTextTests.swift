import HookwalkModel
import XCTest

/// `TerminalText.escaped` checks ASCII text byte by byte before its scalar walk; both ways must
/// escape the same characters. (HookwalkModel has no test target of its own.)
final class TerminalTextTests: XCTestCase {
    func testSafeTextIsReturnedAsItIs() {
        let listing = "table ip t {\n\tchain c {\n\t\tiifname \"eth0\" accept\n\t}\n}\n"
        XCTAssertEqual(TerminalText.escaped(listing), listing)
        XCTAssertEqual(TerminalText.escaped("café ✓"), "café ✓")
    }

    func testControlsAndBidiAreEscapedWithOrWithoutNonASCII() {
        XCTAssertEqual(TerminalText.escaped("a\u{1B}[31mb\u{7F}"), "a\\x1B[31mb\\x7F")
        XCTAssertEqual(TerminalText.escaped("é\u{1B}x"), "é\\x1Bx")
        XCTAssertEqual(TerminalText.escaped("x\u{202E}y\u{85}"), "x\\u{202E}y\\x85")
        XCTAssertEqual(TerminalText.escaped("a\nb\tc", keepLines: false), "a\\nb\\tc")
        XCTAssertEqual(TerminalText.escaped("a\nb\tc\r"), "a\nb\tc\\x0D")
    }
}
