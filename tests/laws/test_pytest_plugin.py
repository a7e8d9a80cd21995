"""The installed pytest plugin collects module-level suites as one test per law."""

import subprocess
import sys
import textwrap


def test_plugin_collects_and_runs_each_law(tmp_path):
    (tmp_path / "test_user_suite.py").write_text(
        textwrap.dedent("""
        import jax.numpy as jnp
        from hypothesis import settings

        from catlearn import laws

        settings.register_profile("quick", max_examples=10)  # the suite's own budget
        settings.load_profile("quick")

        items = laws.strategies.dyadic(-4, 4).map(jnp.float32)
        test_max = laws.monoid("max", jnp.maximum, lambda: jnp.float32(-jnp.inf), items,
                               laws.equality(), commutative=True)
        test_minus = laws.monoid("minus", lambda a, b: a - b, lambda: jnp.float32(0), items,
                                 laws.equality()).inapplicable("identity", "no left unit")
        test_nothing = laws.combine("nothing", [])
    """)
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    out = run.stdout
    assert "test_max[max::associativity]" in out and "test_max[max::commutativity]" in out
    assert "FAILED" in out and "test_minus[minus::associativity]" in out  # a - b is not
    assert "SKIPPED" in out and "no left unit" in out
    assert "test_nothing[no laws]" in out and "has no laws to check" in out
    assert "2 failed, 3 passed, 1 skipped" in out, out[-2000:]
