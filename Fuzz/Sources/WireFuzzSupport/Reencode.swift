import FuzzSupport
import SiskinAggregation
import SiskinWire

/// A decoded summary must survive the encoder: encoding it succeeds (the
/// decoder only accepts what the model allows), the frame decodes, and the
/// result encodes to the very same bytes. Comparing encoded bytes rather
/// than summaries keeps NaN and -0.0 values honest (`==` would not).
public func checkReencodes(_ summary: PodSummary, level: Int) {
    let encoder = SummaryEncoder(compressionLevel: level)
    let first: EncodedSummary
    do {
        first = try encoder.encode(summary)
    } catch {
        invariant(false, "a decoded summary does not encode: \(error)")
        return
    }
    let again: PodSummary
    do {
        again = try SummaryDecoder().decode(first.bytes)
    } catch {
        invariant(false, "the encoder's frame does not decode: \(error)")
        return
    }
    guard let second = try? encoder.encode(again) else {
        invariant(false, "a re-decoded summary does not encode")
        return
    }
    invariant(first.bytes == second.bytes, "encode(decode(encode(s))) differs from encode(s)")
    invariant(again.seriesCount == summary.seriesCount && again.families.count == summary.families.count,
              "series or families lost in the round trip")
}
