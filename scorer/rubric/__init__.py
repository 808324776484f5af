"""The rubric: schema (pydantic), loading with line numbers, the walk over its scored owners."""

from .loader import LoadedRubric, load_rubric, parse_rubric
from .problems import Problem
from .schema import Rubric

__all__ = ["LoadedRubric", "Problem", "Rubric", "load_rubric", "parse_rubric"]
