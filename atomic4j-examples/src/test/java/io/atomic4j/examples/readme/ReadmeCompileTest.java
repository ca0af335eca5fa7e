package io.atomic4j.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of the README against the test classpath, so that each
 * example compiles as printed. Convention (also stated in the README's "Building and testing"):
 * <ul>
 *   <li>A block that starts (after comments) with {@code import}, an annotation or a type
 *       declaration is a compilation unit: its imports, then its types.</li>
 *   <li>A block whose first line declares a {@code static} or {@code private} field is the
 *       body of a class.</li>
 *   <li>Any other block is a fragment: its {@code import} lines head the file and the rest is
 *       the body of a method that may throw anything. The application's own objects a fragment
 *       uses ({@code db}, {@code mailer}, {@code insert(db, ...)}, ...) come from
 *       {@link ReadmeContext}; every library or JDK type it names is imported in the block.</li>
 * </ul>
 * The blocks of one {@code ## } section are compiled together (an example may use a class another
 * block of its section shows). A block whose imports name a module that is not on the classpath
 * yet (Spring, Hibernate, outbox, Micrometer) is skipped, and the skip is printed.
 */
class ReadmeCompileTest {
    private static final Pattern UNIT_START = Pattern.compile(
            "^(import |package |@|(public |final |abstract |sealed )*(class|interface|record|enum) ).*");
    /** What a compilation unit has at column 0: anything else there (a statement) makes the block a fragment. */
    private static final Pattern UNIT_LINE = Pattern.compile(
            "^(import |package |@|}|//|/\\*|\\*|(public |final |abstract |sealed )*(class|interface|record|enum) ).*");
    private static final Pattern MEMBERS_START = Pattern.compile("^(static |private |protected |public static ).*");
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)(\\.\\*)?;.*");
    private static final List<String> OPTIONAL_PREFIXES = List.of("io.atomic4j.spring", "io.atomic4j.hibernate",
            "io.atomic4j.outbox", "io.atomic4j.micrometer", "org.springframework", "org.hibernate",
            "jakarta.persistence", "io.micrometer");

    @TempDir
    Path output;

    @Test
    void everyJavaBlockOfTheReadmeCompiles() throws IOException {
        List<Block> blocks = blocks(readme());
        assertThat(blocks).as("java blocks in README.md").hasSizeGreaterThan(10);
        List<String> errors = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<List<Block>> sections = new ArrayList<>();
        String section = null;
        for (Block block : blocks) {
            String missing = missingOptionalClass(block);
            if (missing != null) {
                skipped.add("README.md:" + block.line + " (needs " + missing + ")");
                continue;
            }
            if (!block.section.equals(section)) {
                sections.add(new ArrayList<>());
                section = block.section;
            }
            sections.get(sections.size() - 1).add(block);
        }
        for (int i = 0; i < sections.size(); i++) {
            errors.addAll(compile("readme.s" + i, sections.get(i)));
        }
        if (!skipped.isEmpty()) {
            System.out.println("ReadmeCompileTest skipped " + skipped.size() + " block(s) whose modules are not on the "
                    + "test classpath of atomic4j-examples (add them as test dependencies): " + skipped);
        }
        assertThat(errors).as("README java blocks that do not compile").isEmpty();
    }

    @Test
    void aBlockThatDoesNotCompileIsNamedByItsReadmeLine() throws IOException {
        String readme = "# Title\n\n## Section\n\nText.\n\n```java\nimport io.atomic4j.Database;\n\n"
                + "Database first = db;\nint broken = \"text\";\n```\n";
        List<String> errors = compile("readme.selftest", blocks(readme));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("README.md:11: ").contains("incompatible types");
    }

    private static String readme() throws IOException {
        Path file = Path.of("README.md");
        if (!Files.exists(file)) {
            file = Path.of("..", "README.md");
        }
        return Files.readString(file);
    }

    static final class Block {
        final int line;          // README line of the first line of code
        final String section;
        final List<String> code;

        Block(int line, String section, List<String> code) {
            this.line = line;
            this.section = section;
            this.code = code;
        }
    }

    static List<Block> blocks(String readme) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = readme.split("\n", -1);
        String section = "";
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("## ")) {
                section = lines[i];
            } else if (lines[i].trim().equals("```java")) {
                List<String> code = new ArrayList<>();
                int start = i + 2;
                for (i++; i < lines.length && !lines[i].trim().startsWith("```"); i++) {
                    code.add(lines[i]);
                }
                blocks.add(new Block(start, section, code));
            } else if (lines[i].trim().startsWith("```")) {
                for (i++; i < lines.length && !lines[i].trim().startsWith("```"); i++) {
                    // another language's block: skip it whole
                }
            }
        }
        return blocks;
    }

    private static String missingOptionalClass(Block block) {
        for (String line : block.code) {
            Matcher matcher = IMPORT.matcher(line.trim());
            if (!matcher.matches()) {
                continue;
            }
            String name = matcher.group(2);
            for (String prefix : OPTIONAL_PREFIXES) {
                if (name.startsWith(prefix + ".") && !loadable(name, matcher.group(1) != null || matcher.group(3) != null)) {
                    return name;
                }
            }
        }
        return null;
    }

    private static boolean loadable(String name, boolean memberOrPackage) {
        String candidate = name;
        while (true) {
            try {
                Class.forName(candidate, false, ReadmeCompileTest.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                int dot = candidate.lastIndexOf('.');
                if (!memberOrPackage || dot < 0) {
                    return memberOrPackage && ReadmeCompileTest.class.getClassLoader()
                            .getResource(name.replace('.', '/')) != null;
                }
                candidate = candidate.substring(0, dot);
                memberOrPackage = false;
            }
        }
    }

    /** One generated source file and, per generated line, the README line it came from (0 = generated). */
    static final class Source extends SimpleJavaFileObject {
        final String text;
        final int[] readmeLines;

        Source(String className, String text, int[] readmeLines) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.text = text;
            this.readmeLines = readmeLines;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }

    static Source generate(String pkg, Block block) {
        List<String> out = new ArrayList<>();
        List<Integer> origin = new ArrayList<>();
        out.add("package " + pkg + ";");
        origin.add(0);
        String first = block.code.stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("//"))
                .findFirst().orElse("");
        String name = "Readme_L" + block.line;
        if (UNIT_START.matcher(first).matches() && block.code.stream().allMatch(
                l -> l.isBlank() || Character.isWhitespace(l.charAt(0)) || UNIT_LINE.matcher(l).matches())) {
            Matcher publicType = Pattern.compile("(?m)^public (final |abstract )*(class|interface|record|enum) (\\w+)")
                    .matcher(String.join("\n", block.code));
            if (publicType.find()) {
                name = publicType.group(3);
            }
            for (int i = 0; i < block.code.size(); i++) {
                out.add(block.code.get(i));
                origin.add(block.line + i);
            }
        } else {
            String firstCode = block.code.stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("//") && !IMPORT.matcher(l).matches()).findFirst().orElse("");
            boolean members = MEMBERS_START.matcher(firstCode).matches();
            List<Integer> body = new ArrayList<>();
            for (int i = 0; i < block.code.size(); i++) {
                if (IMPORT.matcher(block.code.get(i).trim()).matches()) {
                    out.add(block.code.get(i));
                    origin.add(block.line + i);
                } else {
                    body.add(i);
                }
            }
            out.add("@SuppressWarnings(\"all\") class " + name + " extends " + ReadmeContext.class.getName() + " {");
            origin.add(0);
            if (!members) {
                out.add("void example() throws Throwable {");
                origin.add(0);
            }
            for (int i : body) {
                out.add(block.code.get(i));
                origin.add(block.line + i);
            }
            out.add(members ? "}" : "}}");
            origin.add(0);
        }
        int[] lines = origin.stream().mapToInt(Integer::intValue).toArray();
        return new Source(pkg + "." + name, String.join("\n", out) + "\n", lines);
    }

    private List<String> compile(String pkg, List<Block> blocks) throws IOException {
        List<Source> sources = new ArrayList<>();
        for (Block block : blocks) {
            sources.add(generate(pkg, block));
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-classpath", classpath(), "-d", output.toString(), "-proc:none",
                "-Xlint:none", "-nowarn", "--release", "17");
        compiler.getTask(null, null, diagnostics, options, null, sources).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
            if (diagnostic.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            String where = "README.md";
            if (diagnostic.getSource() instanceof Source) {
                Source source = (Source) diagnostic.getSource();
                long line = diagnostic.getLineNumber();
                int readmeLine = line >= 1 && line <= source.readmeLines.length ? source.readmeLines[(int) line - 1] : 0;
                if (readmeLine == 0) {
                    readmeLine = firstLine(source);
                }
                where = "README.md:" + readmeLine;
            }
            errors.add(where + ": " + diagnostic.getMessage(Locale.ROOT));
        }
        return errors;
    }

    private static int firstLine(Source source) {
        for (int line : source.readmeLines) {
            if (line != 0) {
                return line;
            }
        }
        return 0;
    }

    /** The test classpath, with surefire's manifest-only jar expanded. */
    static String classpath() throws IOException {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(entry);
            if (entry.endsWith(".jar") && Path.of(entry).getFileName().toString().startsWith("surefire")) {
                try (JarFile jar = new JarFile(entry)) {
                    Manifest manifest = jar.getManifest();
                    String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                    if (classPath != null) {
                        for (String url : classPath.trim().split("\\s+")) {
                            entries.add(Path.of(URI.create(url)).toString());
                        }
                    }
                }
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
