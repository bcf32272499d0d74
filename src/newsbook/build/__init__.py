"""One build start to end: a plan from newsbook.toml or the command line (config.py), the
sources read (collect.py), the issue cleaned, selected and assembled (model/), rendered
and written by the builders, and the project's state recorded (state.py, output.py).
In: a Plan; out: the output files on disk and a Report. pipeline.py reads as the list
of stages; what makes it fast is in newsbook.speed, behind one seam.
"""
