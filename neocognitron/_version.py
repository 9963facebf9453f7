"""The package version, in a module of its own: ``setup.cfg`` reads it without importing the
package's dependencies, and modules import it without a cycle through ``__init__``."""

__version__ = "0.1.0"
