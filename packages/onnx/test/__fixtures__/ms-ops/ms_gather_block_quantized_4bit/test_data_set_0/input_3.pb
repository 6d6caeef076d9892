
Bzero_pointsJ¡­_ìòr3ıÏö¤éûöÅi¾g$