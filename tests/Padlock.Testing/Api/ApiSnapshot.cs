using System.Reflection;
using Xunit;

namespace Padlock.Testing.Api;

/// <summary>
/// The public API of a package as text, compared with the baseline checked in under <c>api/</c>: every change to the
/// public surface shows as a diff in review. Set <c>PADLOCK_UPDATE_API=1</c> to rewrite the baseline after a deliberate change.
/// </summary>
public static class ApiSnapshot
{
    /// <summary>Fails when <paramref name="assembly"/>'s public surface differs from <c>api/NAME.txt</c>.</summary>
    public static void Verify(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var actual = Describe(assembly);
        var path = Path.Combine(RepositoryRoot(), "api", assembly.GetName().Name + ".txt");
        if (Environment.GetEnvironmentVariable("PADLOCK_UPDATE_API") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"No API baseline at {path}: run the tests once with PADLOCK_UPDATE_API=1 and commit it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected == actual) return;
        var before = expected.Split('\n').ToHashSet();
        var after = actual.Split('\n').ToHashSet();
        var diff = string.Join("\n", before.Except(after).Select(l => "- " + l).Concat(after.Except(before).Select(l => "+ " + l)));
        Assert.Fail($"The public API of {assembly.GetName().Name} changed (rewrite {path} with PADLOCK_UPDATE_API=1 if intended):\n{diff}");
    }

    /// <summary>One line per public type and member, sorted, so the text changes only when the surface does.</summary>
    public static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            var name = TypeName(type);
            lines.Add($"{Kind(type)} {name}{Bases(type)}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                if (Describe(member) is { } text) lines.Add($"{name}.{text}");
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines) + "\n";
    }

    private static string? Describe(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo m when m.IsSpecialName => null, // property and event accessors are listed with their owners
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{TypeName(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})",
        PropertyInfo p => $"{TypeName(p.PropertyType)} {p.Name} {{{(p.GetMethod?.IsPublic == true ? " get;" : "")}{(p.SetMethod?.IsPublic == true ? (p.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? " init;" : " set;") : "")} }}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{TypeName(f.FieldType)} {f.Name}",
        EventInfo e => $"event {TypeName(e.EventHandlerType!)} {e.Name}",
        Type => null, // nested public types are listed as types of their own
        _ => member.ToString(),
    };

    private static string Kind(Type t)
        => t.IsInterface ? "interface" : t.IsEnum ? "enum" : t.IsValueType ? "struct" : typeof(Delegate).IsAssignableFrom(t) ? "delegate"
            : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";

    private static string Bases(Type t)
    {
        var bases = new List<string>();
        if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) bases.Add(TypeName(b));
        // An internal interface (a store serving its own recipes) is no part of the surface: callers cannot name it.
        bases.AddRange(t.GetInterfaces().Where(i => i.IsVisible).Select(TypeName).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
    }

    private static string Generic(MethodInfo m) => m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(MethodBase m)
        => string.Join(", ", m.GetParameters().Select(p => $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "")}{TypeName(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string TypeName(Type t)
    {
        if (t.IsByRef) return TypeName(t.GetElementType()!);
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[]";
        if (Nullable.GetUnderlyingType(t) is { } inner) return TypeName(inner) + "?";
        if (t.IsGenericParameter) return t.Name;
        var name = (t.IsNested ? TypeName(t.DeclaringType!) + "." : t.Namespace + ".") + (t.Name.Contains('`') ? t.Name[..t.Name.IndexOf('`')] : t.Name);
        return t.IsGenericType ? name + "<" + string.Join(", ", t.GetGenericArguments().Select(TypeName)) + ">" : name;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Padlock.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Padlock.sln not found above {AppContext.BaseDirectory}.");
    }
}
