extension StringProtocol {
    /// The text without leading and trailing scalars from `set` (e.g. " \t\r\n").
    ///
    /// Works on Unicode scalars: `"\r\n"` is a single `Character`, so trimming
    /// by `Character` would leave a lone `"\n"` (a token file's last newline).
    public func trimmingScalars(in set: String) -> String {
        let blanks = Set(set.unicodeScalars)
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, blanks.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, blanks.contains(last) { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
