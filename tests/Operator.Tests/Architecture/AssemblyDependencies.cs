using Mono.Cecil;
using Mono.Cecil.Cil;
using CallSite = Mono.Cecil.CallSite;

namespace EksHardening.Operator.Tests.Architecture;

/// <summary>
/// Reads which of an assembly's own types each of its types uses, from the compiled IL: base type, interfaces,
/// fields, properties, events, method signatures, locals and body operands (types, methods, fields), generic
/// arguments and constraints, and attributes with their <c>typeof</c> arguments. Nested and compiler-generated types
/// (lambdas, iterators, async state machines) count as their outermost type.
/// </summary>
internal static class AssemblyDependencies
{
    public const string RootNamespace = "EksHardening.Operator";

    public static IReadOnlyList<TypeEdge> Read(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var own = module.GetTypes().Select(t => Outermost(t).FullName).ToHashSet(StringComparer.Ordinal);
        var edges = new HashSet<TypeEdge>();
        foreach (var type in module.GetTypes())
        {
            var source = Outermost(type);
            if (FolderOf(source) is not { } fromFolder) continue;
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var reference in Referenced(type)) Collect(reference, used, own);
            foreach (var target in used)
            {
                var targetType = module.GetType(target);
                if (targetType is null || FolderOf(targetType) is not { } toFolder) continue;
                edges.Add(new TypeEdge(fromFolder, source.Name, toFolder, targetType.Name));
            }
        }

        return [.. edges.OrderBy(e => e.ToString(), StringComparer.Ordinal)];
    }

    /// <summary>
    /// <c>EksHardening.Operator.Rules</c> is <c>Rules</c>, <c>EksHardening.Operator</c> the root; types outside the
    /// operator's namespace (those the compiler generates for source generators and constants) belong to no folder.
    /// </summary>
    public static string? FolderOf(TypeReference type)
    {
        var ns = Outermost(type).Namespace;
        if (ns == RootNamespace) return Layering.Root;
        return ns.StartsWith(RootNamespace + ".", StringComparison.Ordinal) ? ns[(RootNamespace.Length + 1)..].Split('.')[0] : null;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static IEnumerable<object?> Referenced(TypeDefinition type)
    {
        yield return type.BaseType;
        foreach (var i in type.Interfaces) yield return i.InterfaceType;
        foreach (var a in Attributes(type)) yield return a;
        foreach (var g in type.GenericParameters.SelectMany(p => p.Constraints)) yield return g.ConstraintType;
        foreach (var field in type.Fields)
        {
            yield return field.FieldType;
            foreach (var a in Attributes(field)) yield return a;
        }

        foreach (var property in type.Properties)
        {
            yield return property.PropertyType;
            foreach (var a in Attributes(property)) yield return a;
        }

        foreach (var e in type.Events)
        {
            yield return e.EventType;
            foreach (var a in Attributes(e)) yield return a;
        }

        foreach (var method in type.Methods)
        {
            yield return method.ReturnType;
            foreach (var a in Attributes(method).Concat(Attributes(method.MethodReturnType))) yield return a;
            foreach (var parameter in method.Parameters)
            {
                yield return parameter.ParameterType;
                foreach (var a in Attributes(parameter)) yield return a;
            }

            foreach (var g in method.GenericParameters.SelectMany(p => p.Constraints)) yield return g.ConstraintType;
            if (!method.HasBody) continue;
            foreach (var local in method.Body.Variables) yield return local.VariableType;
            foreach (var handler in method.Body.ExceptionHandlers) yield return handler.CatchType;
            foreach (var instruction in method.Body.Instructions) yield return instruction.Operand;
        }
    }

    private static IEnumerable<object?> Attributes(ICustomAttributeProvider provider)
    {
        if (!provider.HasCustomAttributes) yield break;
        foreach (var attribute in provider.CustomAttributes)
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.Properties.Select(p => p.Argument)).Concat(attribute.Fields.Select(f => f.Argument)))
            {
                yield return argument.Type;
                yield return argument.Value;
            }
        }
    }

    /// <summary>Adds every own type a reference names: the type itself, its element and generic arguments, a member's declaring type and signature.</summary>
    private static void Collect(object? reference, HashSet<string> used, HashSet<string> own)
    {
        switch (reference)
        {
            case null:
                return;
            case TypeReference type:
                CollectType(type, used, own);
                return;
            case MethodReference method:
                CollectType(method.DeclaringType, used, own);
                CollectType(method.ReturnType, used, own);
                foreach (var parameter in method.Parameters) CollectType(parameter.ParameterType, used, own);
                if (method is GenericInstanceMethod generic)
                {
                    foreach (var argument in generic.GenericArguments) CollectType(argument, used, own);
                }

                return;
            case FieldReference field:
                CollectType(field.DeclaringType, used, own);
                CollectType(field.FieldType, used, own);
                return;
            case CustomAttributeArgument argument:
                Collect(argument.Type, used, own);
                Collect(argument.Value, used, own);
                return;
            case CustomAttributeArgument[] arguments:
                foreach (var argument in arguments) Collect(argument, used, own);
                return;
            case CallSite callSite:
                CollectType(callSite.ReturnType, used, own);
                foreach (var parameter in callSite.Parameters) CollectType(parameter.ParameterType, used, own);
                return;
        }
    }

    private static void CollectType(TypeReference? type, HashSet<string> used, HashSet<string> own)
    {
        switch (type)
        {
            case null:
                return;
            case GenericInstanceType generic:
                CollectType(generic.ElementType, used, own);
                foreach (var argument in generic.GenericArguments) CollectType(argument, used, own);
                return;
            case TypeSpecification specification:
                // Arrays, by-ref, pointers, modifiers: the type they are built from.
                CollectType(specification.ElementType, used, own);
                return;
            case GenericParameter:
                return;
        }

        var outermost = Outermost(type).FullName;
        if (own.Contains(outermost)) used.Add(outermost);
    }
}
