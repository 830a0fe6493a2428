import subprocess
import sys


def test_the_engine_never_imports_django():
    code = (
        "import sys, innolink.engines.ranking, innolink.engines.ranking.synthetic;"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
