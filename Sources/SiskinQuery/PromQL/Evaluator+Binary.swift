import Foundation
import SiskinAggregation
import SiskinPromQL

extension Evaluator {
    func binary(_ b: Binary, at t: Int64) throws(PromQLError) -> PromValue {
        let lhs = try evaluate(b.lhs, at: t)
        let rhs = try evaluate(b.rhs, at: t)
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            guard let v = Self.apply(b.op, l, r, returnBool: true) else {
                throw PromQLError(.badData, "comparisons between scalars must use BOOL modifier")
            }
            return .scalar(v.value)
        case (.vector(let samples), .scalar(let r)):
            return .vector(try vectorScalar(b, samples, r, scalarOnLeft: false))
        case (.scalar(let l), .vector(let samples)):
            return .vector(try vectorScalar(b, samples, l, scalarOnLeft: true))
        case (.vector(let l), .vector(let r)):
            return .vector(try vectorVector(b, l, r))
        default:
            throw PromQLError(.badData, "binary operator \"\(b.op.rawValue)\" between \(lhs.typeName) and \(rhs.typeName)")
        }
    }

    /// The result of `l op r`: nil when a comparison is false (the sample is
    /// filtered out) unless `returnBool`, where it is 0 or 1.
    static func apply(_ op: Binary.Op, _ l: Double, _ r: Double, returnBool: Bool) -> (value: Double, keep: Bool)? {
        func compare(_ result: Bool) -> (Double, Bool)? {
            returnBool ? (result ? 1 : 0, true) : (result ? (l, true) : nil)
        }
        switch op {
        case .add: return (l + r, true)
        case .subtract: return (l - r, true)
        case .multiply: return (l * r, true)
        case .divide: return (l / r, true)
        case .modulo: return (fmod(l, r), true)
        case .power: return (pow(l, r), true)
        case .equal: return compare(l == r)
        case .notEqual: return compare(l != r)
        case .greater: return compare(l > r)
        case .less: return compare(l < r)
        case .greaterOrEqual: return compare(l >= r)
        case .lessOrEqual: return compare(l <= r)
        case .and, .or, .unless: return nil
        }
    }

    private func vectorScalar(_ b: Binary, _ samples: [PromSample], _ scalar: Double, scalarOnLeft: Bool) throws(PromQLError) -> [PromSample] {
        guard !b.op.isSetOperator else { throw PromQLError(.badData, "set operator \"\(b.op.rawValue)\" not allowed in binary scalar expression") }
        var out: [PromSample] = []
        for sample in samples {
            let (l, r) = scalarOnLeft ? (scalar, sample.value) : (sample.value, scalar)
            guard let result = Self.apply(b.op, l, r, returnBool: b.returnBool) else { continue }
            // A filtering comparison keeps the vector's own value and labels.
            var value = result.value
            if b.op.isComparison, !b.returnBool { value = sample.value }
            let keepName = b.op.isComparison && !b.returnBool
            out.append(PromSample(labels: keepName ? sample.labels : LabelSet.dropName(sample.labels), value: value))
        }
        return out
    }

    private func vectorVector(_ b: Binary, _ lhs: [PromSample], _ rhs: [PromSample]) throws(PromQLError) -> [PromSample] {
        let matching = b.matching ?? Binary.Matching()
        func signature(_ s: PromSample) -> String { LabelSet.signature(s.labels, on: matching.on, names: matching.labels) }

        if b.op.isSetOperator {
            let rightSignatures = Set(rhs.map(signature))
            switch b.op {
            case .and: return lhs.filter { rightSignatures.contains(signature($0)) }
            case .unless: return lhs.filter { !rightSignatures.contains(signature($0)) }
            default:
                let leftSignatures = Set(lhs.map(signature))
                return lhs + rhs.filter { !leftSignatures.contains(signature($0)) }
            }
        }

        // The "one" side is indexed by signature and must be unique.
        let manyOnLeft = matching.cardinality != .oneToMany
        let (many, one) = manyOnLeft ? (lhs, rhs) : (rhs, lhs)
        var index: [String: PromSample] = [:]
        for sample in one {
            let key = signature(sample)
            if index[key] != nil {
                let side = manyOnLeft ? "right" : "left"
                throw PromQLError(.execution, "found duplicate series for the match group on the \(side) hand-side of the operation: \(sample.labels);many-to-many matching not allowed: matching labels must be unique on one side")
            }
            index[key] = sample
        }
        var out: [PromSample] = []
        var seen = Set<String>()
        for sample in many {
            let key = signature(sample)
            guard let other = index[key] else { continue }
            if matching.cardinality == .oneToOne {
                guard seen.insert(key).inserted else {
                    throw PromQLError(.execution, "found duplicate series for the match group on the left hand-side of the operation: \(sample.labels);many-to-many matching not allowed: matching labels must be unique on one side")
                }
            }
            let (l, r) = manyOnLeft ? (sample, other) : (other, sample)
            guard let result = Self.apply(b.op, l.value, r.value, returnBool: b.returnBool) else { continue }
            var labels = sample.labels
            if !b.op.isComparison || b.returnBool { labels = LabelSet.dropName(labels) }
            if matching.cardinality == .oneToOne {
                labels = matching.on ? LabelSet.keeping(labels, Set(matching.labels))
                                     : LabelSet.dropping(labels, Set(matching.labels))
            }
            for name in matching.include {
                labels = LabelSet.setting(labels, name, LabelSet.value(other.labels, name))
            }
            let value = b.op.isComparison && !b.returnBool ? l.value : result.value
            out.append(PromSample(labels: labels, value: value))
        }
        return out
    }
}
