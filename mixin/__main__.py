import sys

from mixin.generate import main

sys.exit(main(sys.argv[1:]))
