// Validates RDF data files against SHACL shapes with Apache Jena's SHACL engine (Debian
// libapache-jena-java) and prints each validation report as Turtle, so tests/test_shacl_engines.py
// can compare a third, independent engine with pySHACL. Run as a single source file (Java 11+):
//   java -cp '/usr/share/java/*' tests/java/ShaclValidate.java SHAPES.ttl OUTDIR DATA.nt...
// For each DATA file it writes OUTDIR/<DATA file name>.ttl; a shapes file Jena refuses to load
// exits non-zero with Jena's own message.
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.apache.jena.graph.Graph;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFFormat;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;

public class ShaclValidate {
    public static void main(String[] args) throws Exception {
        Graph shapesGraph = RDFDataMgr.loadGraph(args[0]);
        Shapes shapes = Shapes.parse(shapesGraph);
        Path outDir = Path.of(args[1]);
        for (int i = 2; i < args.length; i++) {
            Graph data = RDFDataMgr.loadGraph(args[i]);
            ValidationReport report = ShaclValidator.get().validate(shapes, data);
            Path out = outDir.resolve(Path.of(args[i]).getFileName() + ".ttl");
            try (OutputStream stream = new FileOutputStream(out.toFile())) {
                RDFDataMgr.write(stream, report.getModel(), RDFFormat.TURTLE);
            }
        }
    }
}
