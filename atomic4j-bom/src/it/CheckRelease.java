import java.io.IOException;
import java.io.InputStream;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks what `mvn -B verify` built as a user would meet it, and fails (exit 1) naming each problem.
 *
 * <ol>
 *   <li>Every published module (a reactor module without maven.deploy.skip) has its jar, sources jar and
 *       Javadoc jar; the jar is a named module (module-info.class: atomic4j-core is io.atomic4j, atomic4j-X-Y is
 *       io.atomic4j.X.Y) that exports its API packages to everyone and io.atomic4j.internal.* only to atomic4j
 *       modules, and carries LICENSE and NOTICE; the Javadoc has no internal package.</li>
 *   <li>atomic4j-bom pins every published module, at the reactor's version, and repeats the parent's Central
 *       metadata unchanged (it has no parent, see its pom). A BOM entry whose module is not built is a warning,
 *       an error with --strict (run before a release: RELEASING.md).</li>
 *   <li>A fresh consumer project (src/it/consumer) imports the BOM from a throw-away local repository that holds
 *       only these artifacts (third-party ones come from ~/.m2 read as a remote, never written), resolves, and
 *       its program runs on the module path: `requires io.atomic4j` and the other modules, the core on H2, and
 *       the engine refused to it by reflection.</li>
 *   <li>A user module that imports io.atomic4j.internal.engine does not compile: the engine is not visible.</li>
 * </ol>
 *
 * Run from the repository root after `mvn -B verify`: {@code java atomic4j-bom/src/it/CheckRelease.java [--strict] [--keep]}.
 * Nothing is installed into ~/.m2 (other builds on this machine share it).
 */
public class CheckRelease {
    static final List<String> errors = new ArrayList<>();
    static final List<String> warnings = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        boolean strict = List.of(args).contains("--strict");
        boolean keep = List.of(args).contains("--keep");
        Path root = Path.of("").toAbsolutePath();
        Document parent = read(root.resolve("pom.xml"));
        String version = text(parent.getDocumentElement(), "version");

        List<String> published = new ArrayList<>();
        List<String> unpublished = new ArrayList<>();
        for (String module : texts(child(parent.getDocumentElement(), "modules"), "module")) {
            Document pom = read(root.resolve(module).resolve("pom.xml"));
            Element project = pom.getDocumentElement();
            String artifactId = text(project, "artifactId");
            String packaging = text(project, "packaging");
            boolean skipped = "true".equals(text(child(project, "properties"), "maven.deploy.skip"));
            if (skipped) {
                unpublished.add(artifactId);
            } else if (packaging == null || packaging.equals("jar")) {
                published.add(artifactId);
                checkJars(root.resolve(module), artifactId, version);
            }
        }

        Element bom = read(root.resolve("atomic4j-bom/pom.xml")).getDocumentElement();
        checkBom(bom, parent.getDocumentElement(), version, published, strict);

        Path work = Files.createTempDirectory("atomic4j-release-check-");
        try {
            if (errors.isEmpty()) {
                Path repo = work.resolve("repository");
                layOut(repo, "atomic4j-parent", version, root.resolve("pom.xml"), null);
                layOut(repo, "atomic4j-bom", version, root.resolve("atomic4j-bom/pom.xml"), null);
                for (String artifactId : published) {
                    Path module = root.resolve(artifactId);
                    layOut(repo, artifactId, version, module.resolve("pom.xml"),
                            module.resolve("target").resolve(artifactId + "-" + version + ".jar"));
                }
                runConsumer(root, work, repo, version);
            }
        } finally {
            if (keep) {
                System.out.println("release check: kept " + work);
            } else {
                deleteTree(work);
            }
        }

        warnings.forEach(w -> System.out.println("release check WARNING: " + w));
        errors.forEach(e -> System.out.println("release check ERROR: " + e));
        System.out.println("release check: published " + published.stream().map(a -> "io.atomic4j:" + a + ":" + version)
                .collect(Collectors.joining(", ")) + ", io.atomic4j:atomic4j-bom:" + version
                + " (with io.atomic4j:atomic4j-parent); not published: " + unpublished);
        if (!errors.isEmpty()) {
            System.out.println("release check: FAILED (" + errors.size() + " problems above)");
            System.exit(1);
        }
        System.out.println("release check: OK");
    }

    static void checkJars(Path module, String artifactId, String version) throws IOException {
        Path target = module.resolve("target");
        Path jar = target.resolve(artifactId + "-" + version + ".jar");
        Path sources = target.resolve(artifactId + "-" + version + "-sources.jar");
        Path javadoc = target.resolve(artifactId + "-" + version + "-javadoc.jar");
        for (Path p : List.of(jar, sources, javadoc)) {
            if (!Files.isRegularFile(p)) {
                errors.add(artifactId + ": " + root(p) + " was not built (run `mvn -B verify` first)");
            }
        }
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(sources) || !Files.isRegularFile(javadoc)) {
            return;
        }
        String expectedModule = artifactId.equals("atomic4j-core") ? "io.atomic4j" : "io." + artifactId.replace('-', '.');
        checkModule(jar, artifactId, expectedModule);
        try (JarFile j = new JarFile(jar.toFile())) {
            for (String entry : List.of("META-INF/LICENSE", "META-INF/NOTICE")) {
                if (j.getEntry(entry) == null) {
                    errors.add(artifactId + ": the jar has no " + entry);
                }
            }
        }
        try (JarFile j = new JarFile(sources.toFile())) {
            if (j.stream().noneMatch(e -> e.getName().endsWith(".java"))) {
                errors.add(artifactId + ": the sources jar has no .java file");
            }
        }
        try (JarFile j = new JarFile(javadoc.toFile())) {
            if (j.getEntry("index.html") == null) {
                errors.add(artifactId + ": the Javadoc jar has no index.html");
            }
            List<String> internal = j.stream().map(e -> e.getName())
                    .filter(n -> n.contains("io/atomic4j/internal/")).limit(3).collect(Collectors.toList());
            if (!internal.isEmpty()) {
                errors.add(artifactId + ": the Javadoc documents internal packages, e.g. " + internal);
            }
        }
    }

    /** The jar's module-info: its name, API packages exported to all, internal ones to atomic4j modules only. */
    static void checkModule(Path jar, String artifactId, String expectedModule) {
        ModuleDescriptor module;
        try {
            module = ModuleFinder.of(jar).findAll().stream().map(ModuleReference::descriptor).findFirst().orElseThrow();
        } catch (FindException | java.util.NoSuchElementException e) {
            errors.add(artifactId + ": " + root(jar) + " cannot be read as a module: " + e.getMessage());
            return;
        }
        if (module.isAutomatic()) {
            errors.add(artifactId + ": the jar has no module-info.class (the JVM would make it the automatic module "
                    + module.name() + "); add src/main/java/module-info.java declaring `module " + expectedModule + "`");
            return;
        }
        if (!module.name().equals(expectedModule)) {
            errors.add(artifactId + ": the jar's module is " + module.name() + ", expected " + expectedModule
                    + " (users write it in `requires`: it must not change)");
        }
        if (module.isOpen()) {
            errors.add(artifactId + ": module " + module.name() + " is open: open only the packages a framework reflects on");
        }
        for (String pkg : new java.util.TreeSet<>(module.packages())) {
            boolean internal = pkg.equals("io.atomic4j.internal") || pkg.startsWith("io.atomic4j.internal.");
            ModuleDescriptor.Exports export = module.exports().stream().filter(e -> e.source().equals(pkg))
                    .findFirst().orElse(null);
            if (!internal && (export == null || export.isQualified())) {
                errors.add(artifactId + ": module " + module.name() + " does not export its API package " + pkg
                        + " to everyone (module-info.java: `exports " + pkg + ";`)");
            }
            if (internal && export != null && !export.isQualified()) {
                errors.add(artifactId + ": module " + module.name() + " exports " + pkg + " to everyone; export an"
                        + " internal package only to the atomic4j modules that use it (`exports " + pkg + " to io.atomic4j.X;`)");
            }
            if (internal && export != null) {
                export.targets().stream().filter(t -> !t.equals("io.atomic4j") && !t.startsWith("io.atomic4j."))
                        .forEach(t -> errors.add(artifactId + ": module " + module.name() + " exports " + pkg
                                + " to " + t + ", which is not an atomic4j module"));
            }
            if (internal && module.opens().stream().anyMatch(o -> o.source().equals(pkg))) {
                errors.add(artifactId + ": module " + module.name() + " opens " + pkg + ": internal packages stay closed");
            }
        }
    }

    static void checkBom(Element bom, Element parent, String version, List<String> published, boolean strict) {
        if (!version.equals(text(bom, "version"))) {
            errors.add("atomic4j-bom has version " + text(bom, "version") + ", the reactor " + version
                    + " (set both, or use the release plugin, which sets every module's)");
        }
        if (child(bom, "parent") != null) {
            errors.add("atomic4j-bom has a parent: users importing it would get the parent's dependencyManagement too");
        }
        for (String field : List.of("url", "licenses", "developers", "scm", "issueManagement")) {
            String inBom = flat(child(bom, field));
            String inParent = flat(child(parent, field));
            if (!inBom.equals(inParent)) {
                errors.add("atomic4j-bom's <" + field + "> differs from the parent pom's; copy the parent's");
            }
        }
        Set<String> pinned = new LinkedHashSet<>();
        Element dependencies = child(child(bom, "dependencyManagement"), "dependencies");
        for (Element d : children(dependencies, "dependency")) {
            if (!"io.atomic4j".equals(text(d, "groupId"))) {
                errors.add("atomic4j-bom pins " + text(d, "groupId") + ":" + text(d, "artifactId")
                        + ": it must pin atomic4j modules only (a user's third-party versions are the user's)");
            }
            if (!"${project.version}".equals(text(d, "version"))) {
                errors.add("atomic4j-bom pins " + text(d, "artifactId") + " at " + text(d, "version") + ", use ${project.version}");
            }
            pinned.add(text(d, "artifactId"));
        }
        for (String artifactId : published) {
            if (!pinned.contains(artifactId)) {
                errors.add(artifactId + " is published but atomic4j-bom does not pin it: add it to atomic4j-bom/pom.xml");
            }
        }
        for (String artifactId : pinned) {
            if (!published.contains(artifactId)) {
                String message = "atomic4j-bom pins " + artifactId + ", which this build does not publish"
                        + " (not a module yet, or maven.deploy.skip): remove it from atomic4j-bom/pom.xml before a release";
                (strict ? errors : warnings).add(message);
            }
        }
    }

    /** A local repository as `mvn install` would leave it, written here instead of into ~/.m2. */
    static void layOut(Path repo, String artifactId, String version, Path pom, Path jar) throws IOException {
        Path dir = repo.resolve("io/atomic4j").resolve(artifactId).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void runConsumer(Path root, Path work, Path repo, String version) throws Exception {
        Path project = work.resolve("consumer");
        copyTree(root.resolve("atomic4j-bom/src/it/consumer"), project);
        Path seed = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path settings = work.resolve("settings.xml");
        // ~/.m2 is read as a remote (releases only, so no atomic4j SNAPSHOT there can stand in for this build's),
        // Maven Central stays behind it for anything it lacks.
        String seedRepo = "<id>seed</id><url>" + seed.toUri() + "</url>"
                + "<releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>"
                + "<snapshots><enabled>false</enabled></snapshots>";
        Files.writeString(settings, "<settings><profiles><profile><id>seed</id>"
                + "<repositories><repository>" + seedRepo + "</repository></repositories>"
                + "<pluginRepositories><pluginRepository>" + seedRepo + "</pluginRepository></pluginRepositories>"
                + "</profile></profiles><activeProfiles><activeProfile>seed</activeProfile></activeProfiles></settings>");
        Path classPath = work.resolve("class-path.txt");
        int resolved = run(project, List.of("mvn", "-B", "-q", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repo, "-Datomic4j.version=" + version,
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                "-Dmdep.includeScope=runtime", "-Dmdep.outputFile=" + classPath));
        if (resolved != 0 || !Files.isRegularFile(classPath)) {
            errors.add("the consumer project (atomic4j-bom/src/it/consumer) did not resolve through the BOM (output above)");
            return;
        }
        String modulePath = Files.readString(classPath).trim();
        Path classes = work.resolve("classes");
        List<String> javac = new ArrayList<>(List.of(tool("javac"), "-d", classes.toString(), "--module-path", modulePath));
        try (Stream<Path> sources = Files.walk(project.resolve("src/main/java"))) {
            sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> javac.add(p.toString()));
        }
        if (run(project, javac) != 0) {
            errors.add("the consumer program did not compile on the module path (output above)");
            return;
        }
        // No --add-modules: the core's module-info requires HikariCP, so the JVM resolves it.
        int ran = run(project, List.of(tool("java"), "--module-path", classes + java.io.File.pathSeparator + modulePath,
                "-m", "com.example.consumer/io.atomic4j.it.consumer.Main"));
        if (ran != 0) {
            errors.add("the consumer program failed on the module path (output above)");
        }
        checkEngineHidden(work, modulePath);
    }

    /**
     * A user module that imports the engine must not compile: the core exports io.atomic4j.internal.engine only to
     * atomic4j's own modules, so Engines.register (which replaces how every Database reaches its engine) and the
     * engine stay out of users' reach.
     */
    static void checkEngineHidden(Path work, String modulePath) throws Exception {
        Path src = work.resolve("intruder/src");
        Files.createDirectories(src.resolve("com/example/intruder"));
        Files.writeString(src.resolve("module-info.java"),
                "module com.example.intruder {\n    requires io.atomic4j;\n}\n");
        Files.writeString(src.resolve("com/example/intruder/Intruder.java"), String.join("\n",
                "package com.example.intruder;",
                "",
                "import io.atomic4j.Database;",
                "import io.atomic4j.internal.engine.Engines;",
                "",
                "public class Intruder {",
                "    public static Object engine(Database db) {",
                "        return Engines.of(db);",
                "    }",
                "}",
                ""));
        List<String> javac = List.of(tool("javac"), "-d", work.resolve("intruder/classes").toString(),
                "--module-path", modulePath, src.resolve("module-info.java").toString(),
                src.resolve("com/example/intruder/Intruder.java").toString());
        System.out.println("release check: " + String.join(" ", javac.subList(0, 3)) + " ... (a user module importing"
                + " io.atomic4j.internal.engine; must fail)");
        Process p = new ProcessBuilder(javac).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            errors.add("javac of the intruder module did not finish in 5 minutes");
            return;
        }
        String expected = "package io.atomic4j.internal.engine is not visible";
        if (p.exitValue() == 0) {
            errors.add("a user module importing io.atomic4j.internal.engine compiled: the core must export it only to"
                    + " atomic4j modules (`exports io.atomic4j.internal.engine to io.atomic4j.X, ...;`)");
        } else if (!output.contains(expected) || !output.contains("does not export it to module com.example.intruder")) {
            errors.add("a user module importing io.atomic4j.internal.engine failed to compile, but not (only) because"
                    + " the package is hidden; javac said:\n" + output.strip());
        } else {
            System.out.println("release check: as expected, javac refused it: " + expected);
        }
    }

    static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    static int run(Path dir, List<String> command) throws Exception {
        System.out.println("release check: " + String.join(" ", command.size() > 8 ? command.subList(0, 8) : command)
                + (command.size() > 8 ? " ..." : ""));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            System.out.println("release check: gave up after 5 minutes: " + command.get(0));
            return -1;
        }
        return p.exitValue();
    }

    // ---- XML and files

    static Document read(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        try (InputStream in = Files.newInputStream(pom)) {
            return factory.newDocumentBuilder().parse(in);
        }
    }

    static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
                return (Element) n;
            }
        }
        return null;
    }

    static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        if (parent != null) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
                    result.add((Element) n);
                }
            }
        }
        return result;
    }

    static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    static List<String> texts(Element parent, String name) {
        return children(parent, name).stream().map(e -> e.getTextContent().trim()).collect(Collectors.toList());
    }

    /** An element's text with whitespace collapsed (attributes such as child.scm...inherit.append.path ignored). */
    static String flat(Element e) {
        return e == null ? "" : e.getTextContent().replaceAll("\\s+", " ").trim();
    }

    static String root(Path p) {
        return Path.of("").toAbsolutePath().relativize(p.toAbsolutePath()).toString();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
