

BlogitsJü84:ÂáÄGGšÃe½U4ÝÀ>