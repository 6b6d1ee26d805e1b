"""An independent geodesic computation for the tests: Vincenty's inverse formula on the WGS84 ellipsoid
(T. Vincenty, Survey Review 23(176), 1975), written here from the paper, not taken from pyproj."""

from __future__ import annotations

import math

A = 6378137.0
F = 1 / 298.257223563
B = A * (1 - F)


def vincenty_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    if (lon1, lat1) == (lon2, lat2):
        return 0.0
    u1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - F) * math.tan(math.radians(lat2)))
    lam0 = math.radians(lon2 - lon1)
    lam = lam0
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0  # coincident after rounding
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = lam0 + (1 - c) * F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (A**2 - B**2) / B**2
    a_ = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    b_ = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = (
        b_
        * sin_sigma
        * (
            cos_2sm
            + b_
            / 4
            * (cos_sigma * (-1 + 2 * cos_2sm**2) - b_ / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2))
        )
    )
    return B * a_ * (sigma - delta)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float, radius: float = 6371008.8) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(h))


def destination(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """A point east_m/north_m away on a local tangent plane (good to < 1 m over 10 km at these latitudes);
    tests then measure the true distance with vincenty_m and aim their margins at that."""
    m_per_deg_lat = 111132.954 - 559.822 * math.cos(2 * math.radians(lat))
    m_per_deg_lon = (
        math.pi
        / 180
        * A
        * math.cos(math.radians(lat))
        / math.sqrt(1 - (2 * F - F * F) * math.sin(math.radians(lat)) ** 2)
    )
    return lon + east_m / m_per_deg_lon, lat + north_m / m_per_deg_lat
