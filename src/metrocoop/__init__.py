"""MetroCoop (上海大都市圈协同平台): the working platform of the Shanghai Metropolitan Area cooperation mechanism."""

__version__ = "0.1.0"
