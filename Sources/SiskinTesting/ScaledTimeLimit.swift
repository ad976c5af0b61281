import Testing

extension Trait where Self == TimeLimitTrait {
    /// `.timeLimit(.minutes(minutes))`, stretched by `TestDeadlines` (under a
    /// sanitizer a multi-process test runs several times longer).
    public static func scaledTimeLimit(minutes: Int) -> Self {
        .timeLimit(.minutes(Int((Double(minutes) * TestDeadlines.factor).rounded(.up))))
    }
}
