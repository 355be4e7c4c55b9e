import Foundation
import SwiftProtobuf
import Basics

/// Member models as standard ONNX-ML: tree ensembles as `TreeEnsembleClassifier`, linear models as
/// `LinearClassifier`, both with a logistic post-transform, input `input` float [N, F], outputs
/// `label` int64 [N] and `probabilities` float [N, 2] (class 0, class 1) — what onnxruntime loads.
public enum ONNXMember {
    public static let inputName = "input"
    static let mlDomain = "ai.onnx.ml"
    static let irVersion: Int64 = 8
    static let mlOpset: Int64 = 3
    static let coreOpset: Int64 = 17

    public static func serialize(_ member: MemberModel, name: String) throws -> [UInt8] {
        var node = Onnx_NodeProto()
        node.input = [inputName]
        node.output = ["label", "probabilities"]
        node.domain = mlDomain
        node.name = name
        var attributes: [Onnx_AttributeProto] = [string("post_transform", "LOGISTIC")]
        switch member {
        case let .trees(ensemble):
            node.opType = "TreeEnsembleClassifier"
            attributes.append(ints("classlabels_int64s", [0, 1]))
            var treeIDs: [Int64] = [], nodeIDs: [Int64] = [], featureIDs: [Int64] = [], modes: [String] = []
            var values: [Float] = [], trueIDs: [Int64] = [], falseIDs: [Int64] = [], missingTrue: [Int64] = []
            var classTrees: [Int64] = [], classNodes: [Int64] = [], classIDs: [Int64] = [], classWeights: [Float] = []
            for (treeIndex, tree) in ensemble.trees.enumerated() {
                for (nodeIndex, node) in tree.enumerated() {
                    treeIDs.append(Int64(treeIndex))
                    nodeIDs.append(Int64(nodeIndex))
                    if node.isLeaf {
                        featureIDs.append(0)
                        modes.append("LEAF")
                        values.append(0)
                        trueIDs.append(0)
                        falseIDs.append(0)
                        missingTrue.append(0)
                        classTrees.append(Int64(treeIndex))
                        classNodes.append(Int64(nodeIndex))
                        classIDs.append(0)
                        classWeights.append(node.leafValue)
                    } else {
                        // BRANCH_LT: the true branch is x < threshold, XGBoost's left child.
                        featureIDs.append(Int64(node.feature))
                        modes.append("BRANCH_LT")
                        values.append(node.threshold)
                        trueIDs.append(Int64(node.left))
                        falseIDs.append(Int64(node.right))
                        missingTrue.append(node.missingGoesLeft ? 1 : 0)
                    }
                }
            }
            attributes += [
                ints("nodes_treeids", treeIDs), ints("nodes_nodeids", nodeIDs), ints("nodes_featureids", featureIDs),
                strings("nodes_modes", modes), floats("nodes_values", values), ints("nodes_truenodeids", trueIDs),
                ints("nodes_falsenodeids", falseIDs), ints("nodes_missing_value_tracks_true", missingTrue),
                ints("class_treeids", classTrees), ints("class_nodeids", classNodes), ints("class_ids", classIDs),
                floats("class_weights", classWeights), floats("base_values", [ensemble.baseMargin])
            ]
        case let .linear(model):
            node.opType = "LinearClassifier"
            node.input = ["imputed"]
            // LinearClassifier names its integer labels classlabels_ints (TreeEnsembleClassifier: _int64s).
            attributes.append(ints("classlabels_ints", [0, 1]))
            // Two rows (class 0: −w, class 1: w) under a per-class logistic give p and 1 − p exactly.
            let weights = model.weights.map { Float($0) }
            attributes += [
                floats("coefficients", weights.map { -$0 } + weights),
                floats("intercepts", [Float(-model.intercept), Float(model.intercept)])
            ]
        }
        node.attribute = attributes

        var graph = Onnx_GraphProto()
        graph.name = name
        graph.node = [node]
        if case let .linear(model) = member {
            // NaN inputs become the values at which a missing feature contributes what XGBoost gives it.
            var imputer = Onnx_NodeProto()
            imputer.opType = "Imputer"
            imputer.domain = mlDomain
            imputer.name = name + "_missing"
            imputer.input = [inputName]
            imputer.output = ["imputed"]
            imputer.attribute = [
                floats("imputed_value_floats", model.missingValues.map { Float($0) }),
                attribute("replaced_value_float", .float) { $0.f = .nan }
            ]
            graph.node = [imputer, node]
        }
        graph.input = [valueInfo(inputName, elementType: .float, dimensions: [nil, member.featureCount])]
        graph.output = [
            valueInfo("label", elementType: .int64, dimensions: [nil]),
            valueInfo("probabilities", elementType: .float, dimensions: [nil, 2])
        ]
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        model.producerName = "mntrading"
        model.producerVersion = ProductVersion.current
        model.graph = graph
        var ml = Onnx_OperatorSetIdProto()
        ml.domain = mlDomain
        ml.version = mlOpset
        var core = Onnx_OperatorSetIdProto()
        core.domain = ""
        core.version = coreOpset
        model.opsetImport = [core, ml]
        return try model.serializedBytes()
    }

    /// Reads a member back; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> MemberModel {
        func fail(_ problem: String) -> ModelFormatError { .invalidModel(file: file, problem: problem) }
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: bytes) } catch { throw fail("not an ONNX model (\(error))") }
        let nodes = model.graph.node
        guard let node = nodes.last, node.domain == mlDomain,
            nodes.count == 1 || (nodes.count == 2 && nodes[0].opType == "Imputer" && node.opType == "LinearClassifier")
        else {
            throw fail("expected one ai.onnx.ml classifier node (a linear one may follow an Imputer)")
        }
        var attributes: [String: Onnx_AttributeProto] = [:]
        for attribute in node.attribute { attributes[attribute.name] = attribute }
        func ints(_ name: String) throws -> [Int64] {
            guard let value = attributes[name] else { throw fail("attribute \(name) missing") }
            return value.ints
        }
        func floats(_ name: String) throws -> [Float] {
            guard let value = attributes[name] else { throw fail("attribute \(name) missing") }
            return value.floats
        }
        guard let inputShape = model.graph.input.first?.type.tensorType.shape.dim, inputShape.count == 2,
            case let .dimValue(featureCount)? = inputShape[1].value, featureCount > 0
        else {
            throw fail("input must be float [N, F] with a fixed F")
        }
        guard attributes["post_transform"].map({ String(decoding: $0.s, as: UTF8.self) }) == "LOGISTIC" else {
            throw fail("post_transform must be LOGISTIC")
        }
        switch node.opType {
        case "TreeEnsembleClassifier":
            let treeIDs = try ints("nodes_treeids"), nodeIDs = try ints("nodes_nodeids"),
                featureIDs = try ints("nodes_featureids")
            let values = try floats("nodes_values"), trueIDs = try ints("nodes_truenodeids"),
                falseIDs = try ints("nodes_falsenodeids")
            let missing = try ints("nodes_missing_value_tracks_true")
            let modes = attributes["nodes_modes"]?.strings.map { String(decoding: $0, as: UTF8.self) } ?? []
            let classTrees = try ints("class_treeids"), classNodes = try ints("class_nodeids"),
                weights = try floats("class_weights")
            let count = treeIDs.count
            guard
                [
                    nodeIDs.count, featureIDs.count, values.count, trueIDs.count, falseIDs.count, missing.count,
                    modes.count
                ]
                .allSatisfy({ $0 == count }), classTrees.count == classNodes.count, classNodes.count == weights.count
            else {
                throw fail("node attribute lists differ in length")
            }
            let treeCount = Int(treeIDs.max() ?? -1) + 1
            var trees = Array(repeating: [TreeEnsemble.Node](), count: treeCount)
            for index in 0..<count {
                let tree = Int(treeIDs[index]), nodeID = Int(nodeIDs[index])
                guard tree >= 0, nodeID >= 0, nodeID < 1 << 24 else { throw fail("bad tree or node id") }
                if trees[tree].count <= nodeID {
                    trees[tree] += Array(
                        repeating: TreeEnsemble.Node(
                            feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 0),
                        count: nodeID + 1 - trees[tree].count)
                }
                switch modes[index] {
                case "LEAF":
                    break
                case "BRANCH_LT":
                    guard featureIDs[index] >= 0, featureIDs[index] < featureCount else {
                        throw fail("feature id \(featureIDs[index]) out of range")
                    }
                    trees[tree][nodeID] = TreeEnsemble.Node(
                        feature: Int32(featureIDs[index]), threshold: values[index], left: Int32(trueIDs[index]),
                        right: Int32(falseIDs[index]), missingGoesLeft: missing[index] != 0, leafValue: 0)
                default:
                    throw fail("node mode \(modes[index]) is not supported (only BRANCH_LT and LEAF)")
                }
            }
            for (tree, (node, weight)) in zip(classTrees, zip(classNodes, weights)) {
                guard Int(tree) < trees.count, Int(node) < trees[Int(tree)].count, trees[Int(tree)][Int(node)].isLeaf
                else {
                    throw fail("class weight on a node that is not a leaf")
                }
                trees[Int(tree)][Int(node)].leafValue += weight
            }
            for (number, tree) in trees.enumerated() {
                guard !tree.isEmpty else { throw fail("tree \(number) has no nodes") }
                for node in tree where !node.isLeaf {
                    guard node.left < tree.count, node.right >= 0, node.right < tree.count else {
                        throw fail("child id out of range")
                    }
                }
                // Every node reached once from the root: a cycle would make evaluation loop forever.
                var reached = [Bool](repeating: false, count: tree.count)
                var pending = [0]
                while let index = pending.popLast() {
                    guard !reached[index] else {
                        throw fail("tree \(number) is not a tree: node \(index) is reached twice")
                    }
                    reached[index] = true
                    if !tree[index].isLeaf { pending += [Int(tree[index].left), Int(tree[index].right)] }
                }
            }
            let base = attributes["base_values"]?.floats.first ?? 0
            return .trees(TreeEnsemble(featureCount: Int(featureCount), baseMargin: base, trees: trees))
        case "LinearClassifier":
            let coefficients = try floats("coefficients"), intercepts = try floats("intercepts")
            let width = Int(featureCount)
            guard coefficients.count == 2 * width, intercepts.count == 2 else {
                throw fail("expected two classes of coefficients")
            }
            var missing = [Double](repeating: 0, count: width)
            if nodes.count == 2,
                let imputed = nodes[0].attribute.first(where: { $0.name == "imputed_value_floats" })?.floats
            {
                guard imputed.count == width else {
                    throw fail("Imputer has \(imputed.count) values for \(width) features")
                }
                missing = imputed.map(Double.init)
            }
            return .linear(
                LinearModel(
                    weights: coefficients[width...].map(Double.init), intercept: Double(intercepts[1]),
                    missingValues: missing))
        default:
            throw fail("operator \(node.opType) is not supported")
        }
    }

    /// An attribute of `type` named `name`, its value set by `fill`.
    static func attribute(
        _ name: String, _ type: Onnx_AttributeProto.AttributeType,
        _ fill: (inout Onnx_AttributeProto) -> Void
    ) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = type
        fill(&attribute)
        return attribute
    }

    static func ints(_ name: String, _ values: [Int64]) -> Onnx_AttributeProto {
        attribute(name, .ints) { $0.ints = values }
    }
    static func floats(_ name: String, _ values: [Float]) -> Onnx_AttributeProto {
        attribute(name, .floats) { $0.floats = values }
    }
    static func strings(_ name: String, _ values: [String]) -> Onnx_AttributeProto {
        attribute(name, .strings) { $0.strings = values.map { Data($0.utf8) } }
    }
    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        attribute(name, .string) { $0.s = Data(value.utf8) }
    }

    static func valueInfo(_ name: String, elementType: Onnx_TensorProto.DataType, dimensions: [Int?])
        -> Onnx_ValueInfoProto
    {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(elementType.rawValue)
        var shape = Onnx_TensorShapeProto()
        shape.dim = dimensions.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            if let size { dimension.dimValue = Int64(size) } else { dimension.dimParam = "N" }
            return dimension
        }
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }
}
