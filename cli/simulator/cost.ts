// Shopify's calculated query cost (shopify.dev, "GraphQL Admin API rate limits"): a scalar or
// enum costs 0, an object 1, a connection 2 plus the number of objects asked for (`first` or
// `last`) times the cost of one; a mutation costs 10. The requested cost is computed from the
// query before it runs; the actual cost from what it returned (fewer objects, lower cost).
import {
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

const MUTATION_COST = 10;

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  return undefined;
}

function fieldsOf(selectionSet: SelectionSetNode | undefined): FieldNode[] {
  // Rapport's queries use no fragments; inline fragments are flattened.
  const out: FieldNode[] = [];
  for (const s of selectionSet?.selections ?? []) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(s.selectionSet));
  }
  return out;
}

const isConnection = (type: GraphQLType) => getNamedType(type).name.endsWith("Connection");
const isList = (type: GraphQLType) => isListType(isNonNullType(type) ? type.ofType : type);

/** Cost of one object of `type` with this selection, worst case (`first` objects per connection). */
function selectionCost(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode | undefined,
  variables: Record<string, unknown>,
): number {
  // A union (a webhook's endpoint) has no fields of its own; its members' fields are scalars here.
  if (!("getFields" in type)) return 0;
  let cost = 0;
  for (const field of fieldsOf(selectionSet)) {
    const def = type.getFields()[field.name.value];
    if (!def) continue;
    const named = getNamedType(def.type);
    if (!isCompositeType(named)) continue;
    const sized = (name: string) =>
      Number(
        argValue(field.arguments?.find((a) => a.name.value === name)?.value, variables) ??
          (name === "first" ? def.args.find((a) => a.name === name)?.defaultValue : undefined) ??
          0,
      );
    if (isConnection(def.type)) {
      const count = sized("first") || sized("last");
      const conn = named as GraphQLObjectType;
      const nodeType = getNamedType(conn.getFields().nodes.type) as GraphQLObjectType;
      let per = 0;
      for (const sub of fieldsOf(field.selectionSet)) {
        if (sub.name.value === "nodes") per = Math.max(per, 1 + selectionCost(schema, nodeType, sub.selectionSet, variables));
        if (sub.name.value === "edges") {
          const node = fieldsOf(sub.selectionSet).find((f) => f.name.value === "node");
          if (node) per = Math.max(per, 1 + selectionCost(schema, nodeType, node.selectionSet, variables));
        }
      }
      cost += 2 + count * per;
    } else {
      const one = 1 + selectionCost(schema, named as GraphQLObjectType, field.selectionSet, variables);
      cost += isList(def.type) ? Math.max(1, sized("first")) * one : one;
    }
  }
  return cost;
}

export function requestedCost(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  if (operation.operation === "mutation") return MUTATION_COST * fieldsOf(operation.selectionSet).length;
  return selectionCost(schema, schema.getQueryType()!, operation.selectionSet, variables);
}

/** Cost of what was returned: connections count the objects they hold. */
function dataCost(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode | undefined,
  data: Record<string, unknown> | null,
): number {
  if (!data || !("getFields" in type)) return 0;
  let cost = 0;
  for (const field of fieldsOf(selectionSet)) {
    const def = type.getFields()[field.name.value];
    if (!def) continue;
    const named = getNamedType(def.type);
    if (!isCompositeType(named)) continue;
    const value = data[field.alias?.value ?? field.name.value];
    if (value == null) continue;
    if (isConnection(def.type)) {
      const conn = named as GraphQLObjectType;
      const nodeType = getNamedType(conn.getFields().nodes.type) as GraphQLObjectType;
      const v = value as { edges?: Array<{ node: Record<string, unknown> }>; nodes?: Record<string, unknown>[] };
      let per = 0;
      for (const sub of fieldsOf(field.selectionSet)) {
        if (sub.name.value === "nodes")
          per = Math.max(
            per,
            (v.nodes ?? []).reduce((s, n) => s + 1 + dataCost(schema, nodeType, sub.selectionSet, n), 0),
          );
        if (sub.name.value === "edges") {
          const node = fieldsOf(sub.selectionSet).find((f) => f.name.value === "node");
          per = Math.max(
            per,
            (v.edges ?? []).reduce((s, e) => s + 1 + dataCost(schema, nodeType, node?.selectionSet, e.node), 0),
          );
        }
      }
      cost += 2 + per;
    } else if (Array.isArray(value)) {
      for (const item of value) cost += 1 + dataCost(schema, named as GraphQLObjectType, field.selectionSet, item as Record<string, unknown>);
    } else {
      cost += 1 + dataCost(schema, named as GraphQLObjectType, field.selectionSet, value as Record<string, unknown>);
    }
  }
  return cost;
}

export function actualCost(schema: GraphQLSchema, operation: OperationDefinitionNode, data: Record<string, unknown> | null | undefined): number {
  if (operation.operation === "mutation") return MUTATION_COST * fieldsOf(operation.selectionSet).length;
  return dataCost(schema, schema.getQueryType()!, operation.selectionSet, data ?? null);
}
