// The model IR of @qint/graph, used as types only (the executor is not imported).
export type { Attribute, Dim, Graph, Model, Node, ValueInfo, ValueType } from '@qint/graph';
