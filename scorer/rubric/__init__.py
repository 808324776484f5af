"""The rubric: schema (pydantic), loading with line numbers, compilation into matchers."""

from .loader import LoadedRubric, load_rubric, parse_rubric
from .schema import Rubric

__all__ = ["LoadedRubric", "Rubric", "load_rubric", "parse_rubric"]
