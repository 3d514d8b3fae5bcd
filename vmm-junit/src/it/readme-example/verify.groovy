// The README's test class must have run: one test, no failure, and not skipped where /dev/kvm exists.
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.KvmClockTest.xml')
assert report.isFile() : "no surefire report for KvmClockTest"
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.text() == '1'
assert suite.@failures.text() == '0' && suite.@errors.text() == '0'
if (new File('/dev/kvm').exists()) {
    assert suite.@skipped.text() == '0' : "the README's test was skipped although /dev/kvm exists"
}
true
