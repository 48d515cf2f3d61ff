package io.lockkit.tck.harness;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds the types of a module's hidden packages (those its {@code module-info} does not export, or,
 * without a descriptor, those named {@code internal}) that appear in the signatures its exported
 * packages offer callers and subclasses: a public or protected field, constructor or method
 * (parameters, results, thrown types, generic bounds and arguments), a supertype. A user who
 * compiles against such a signature depends on what the module may change at any time.
 */
public final class PublicSignatures {
    private PublicSignatures() {}

    /** The classes directory or jar that holds {@code type}'s module. */
    public static Path home(Class<?> type) {
        try {
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One line per leak, {@code "io.lockkit.Foo.bar(…) shows io.lockkit.internal.Baz"}, for the
     * classes in {@code home} (a classes directory or a jar), loaded through {@code loader}.
     */
    public static List<String> leaks(Path home, ClassLoader loader) throws IOException {
        if (Files.isRegularFile(home)) {
            try (FileSystem jar = FileSystems.newFileSystem(home)) {
                return leaks(jar.getPath("/"), loader);
            }
        }
        Path classes = home;
        Set<String> all = classNames(classes);
        Set<String> packages = all.stream().map(PublicSignatures::packageOf).collect(Collectors.toSet());
        Set<String> exported = exported(classes, packages);
        Set<String> hidden = new HashSet<>(packages);
        hidden.removeAll(exported);
        List<String> leaks = new ArrayList<>();
        for (String name : all) {
            if (!exported.contains(packageOf(name))) {
                continue;
            }
            Class<?> c;
            try {
                c = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + name, e);
            }
            if (!visible(c)) {
                continue;
            }
            String where = c.getName();
            check(leaks, hidden, where + " extends", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) {
                check(leaks, hidden, where + " implements", t);
            }
            for (TypeVariable<?> v : c.getTypeParameters()) {
                checkAll(leaks, hidden, where + "<" + v.getName() + ">", v.getBounds());
            }
            for (Field f : c.getDeclaredFields()) {
                if (offered(c, f)) {
                    check(leaks, hidden, where + "." + f.getName(), f.getGenericType());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (offered(c, k)) {
                    checkAll(leaks, hidden, where + "(…)", k.getGenericParameterTypes());
                    checkAll(leaks, hidden, where + "(…) throws", k.getGenericExceptionTypes());
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (offered(c, m) && !m.isSynthetic() && !m.isBridge()) {
                    String sig = where + "." + m.getName() + "(…)";
                    check(leaks, hidden, sig, m.getGenericReturnType());
                    checkAll(leaks, hidden, sig, m.getGenericParameterTypes());
                    checkAll(leaks, hidden, sig + " throws", m.getGenericExceptionTypes());
                    for (TypeVariable<?> v : m.getTypeParameters()) {
                        checkAll(leaks, hidden, sig + "<" + v.getName() + ">", v.getBounds());
                    }
                }
            }
        }
        return leaks;
    }

    /** A class callers can name: public, and every enclosing class public too. */
    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    /** Public members, and protected ones of a class that can be subclassed from outside. */
    private static boolean offered(Class<?> owner, Member m) {
        int mod = m.getModifiers();
        if (Modifier.isPublic(mod)) {
            return true;
        }
        return Modifier.isProtected(mod) && !Modifier.isFinal(owner.getModifiers()) && !owner.isSealed();
    }

    private static void checkAll(List<String> leaks, Set<String> hidden, String where, Type[] types) {
        for (Type t : types) {
            check(leaks, hidden, where, t);
        }
    }

    private static void check(List<String> leaks, Set<String> hidden, String where, Type type) {
        check(leaks, hidden, where, type, new HashSet<>());
    }

    private static void check(List<String> leaks, Set<String> hidden, String where, Type type, Set<Type> seen) {
        if (type == null || !seen.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (!c.isPrimitive() && hidden.contains(c.getPackageName())) {
                leaks.add(where + " shows " + c.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(leaks, hidden, where, p.getRawType(), seen);
            for (Type a : p.getActualTypeArguments()) {
                check(leaks, hidden, where, a, seen);
            }
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(leaks, hidden, where, b, seen);
            }
            for (Type b : w.getLowerBounds()) {
                check(leaks, hidden, where, b, seen);
            }
        } else if (type instanceof GenericArrayType a) {
            check(leaks, hidden, where, a.getGenericComponentType(), seen);
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                check(leaks, hidden, where, b, seen);
            }
        }
    }

    /** What the descriptor exports unqualified; without one, every package not named internal. */
    private static Set<String> exported(Path classes, Set<String> packages) throws IOException {
        Path info = classes.resolve("module-info.class");
        if (Files.exists(info)) {
            try (InputStream in = Files.newInputStream(info)) {
                return ModuleDescriptor.read(in).exports().stream()
                        .filter(e -> !e.isQualified())
                        .map(ModuleDescriptor.Exports::source)
                        .collect(Collectors.toSet());
            }
        }
        return packages.stream()
                .filter(p -> !p.endsWith(".internal") && !p.contains(".internal."))
                .collect(Collectors.toSet());
    }

    private static Set<String> classNames(Path classes) throws IOException {
        if (!Files.isDirectory(classes)) {
            throw new IllegalArgumentException(classes + " is neither a classes directory nor a jar");
        }
        try (Stream<Path> files = Files.walk(classes)) {
            return files.map(p -> classes.relativize(p).toString().replace('\\', '/'))
                    .map(p -> p.startsWith("/") ? p.substring(1) : p)
                    .filter(p -> p.endsWith(".class")
                            && !p.endsWith("module-info.class")
                            && !p.endsWith("package-info.class")
                            && !p.startsWith("META-INF/"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }
}
